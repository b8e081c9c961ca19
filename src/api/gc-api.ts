import { parseDuration } from "../config/duration.ts";
import type { GcStatus } from "../gc/garbage-collector.ts";
import type { AdminDependencies } from "./admin-dependencies.ts";
import { ApiError } from "./api-error.ts";
import { type Caller, requireAdmin } from "./caller.ts";

/** Starting a garbage collection and watching it; admins only. */
export class GcApi {
  constructor(private readonly deps: AdminDependencies) {}

  /**
   * Starts a collection in the background; refused while one runs. `gracePeriod` (a duration
   * such as "0s") overrides the configured one for this run.
   */
  start(caller: Caller, options: { reconcile: boolean; gracePeriod?: string }): GcStatus {
    requireAdmin(caller);
    const gracePeriod =
      options.gracePeriod === undefined ? undefined : parseGrace(options.gracePeriod);
    this.deps.gc.start({
      reconcile: options.reconcile,
      actor: caller.identity.username,
      gracePeriod,
    });
    return this.deps.gc.status();
  }

  status(caller: Caller): GcStatus {
    requireAdmin(caller);
    return this.deps.gc.status();
  }
}

function parseGrace(text: string): number {
  const seconds = parseDuration(text);
  if (seconds === null || seconds < 0) {
    throw new ApiError(
      "invalid-argument",
      `grace_period must be a duration such as 0s, 10m or 1h, not ${JSON.stringify(text)}`,
    );
  }
  return seconds;
}

import type { GcStatus } from "../gc/garbage-collector.ts";
import type { AdminDependencies } from "./admin-dependencies.ts";
import { type Caller, requireAdmin } from "./caller.ts";

/** Starting a garbage collection and watching it; admins only. */
export class GcApi {
  constructor(private readonly deps: AdminDependencies) {}

  /** Starts a collection in the background; refused while one runs. */
  start(caller: Caller, options: { reconcile: boolean }): GcStatus {
    requireAdmin(caller);
    this.deps.gc.start({ reconcile: options.reconcile, actor: caller.identity.username });
    return this.deps.gc.status();
  }

  status(caller: Caller): GcStatus {
    requireAdmin(caller);
    return this.deps.gc.status();
  }
}

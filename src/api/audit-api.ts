import type { AuditPage } from "../audit/audit-log.ts";
import type { AdminDependencies } from "./admin-dependencies.ts";
import { ApiError } from "./api-error.ts";
import { type Caller, requireAdmin } from "./caller.ts";

/** Filters on the audit trail; each is optional and they combine with AND. */
export interface AuditQuery {
  eventType?: string;
  actor?: string;
  repository?: string;
  /** Milliseconds since the epoch, inclusive. */
  since?: number;
  /** Milliseconds since the epoch, exclusive. */
  until?: number;
  /** Only events older than this id: the previous page's `nextBefore`. */
  before?: number;
  /** Events per page, 100 when absent; kept between 1 and 1000. */
  limit?: number;
}

/** Reading the audit trail, newest first; admins only. */
export class AuditApi {
  constructor(private readonly deps: AdminDependencies) {}

  list(caller: Caller, query: AuditQuery): Promise<AuditPage> {
    requireAdmin(caller);
    for (const [name, value] of [
      ["before", query.before],
      ["limit", query.limit],
    ] as const) {
      // REST reads these from text and RPC from integers; both land here, so both refuse alike.
      if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
        throw new ApiError("invalid-argument", `${name} must be a whole number`);
      }
    }
    return this.deps.audit.query({
      eventType: query.eventType || undefined,
      actor: query.actor || undefined,
      repository: query.repository || undefined,
      since: query.since,
      until: query.until,
      before: query.before || undefined,
      limit: query.limit,
    });
  }
}

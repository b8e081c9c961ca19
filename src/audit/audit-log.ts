import {
  type AuditFilter,
  type AuditRecord,
  insertAuditRecord,
  queryAuditRecords,
} from "../db/audit.ts";
import type { Db } from "../db/schema.ts";
import type { Logger } from "../log/logger.ts";
import { isOutOfSpace } from "../storage/out-of-space.ts";

/** Every kind of event the audit trail records. */
export type AuditEventType =
  | "login_succeeded"
  | "login_failed"
  | "login_locked_out"
  | "token_issued"
  | "token_revoked"
  | "repository_created"
  | "manifest_pushed"
  | "tag_moved"
  | "manifest_deleted"
  | "tag_deleted"
  | "blob_deleted"
  | "policy_denied"
  | "policy_rule_created"
  | "policy_rule_updated"
  | "policy_rule_deleted"
  | "account_created"
  | "account_updated"
  | "gc_started"
  | "gc_completed"
  | "snapshot_created"
  | "repository_deleted";

/** Who did something, and from where. */
export interface Actor {
  name: string;
  clientAddress: string | null;
}

/** An event to record. */
export interface AuditEvent {
  type: AuditEventType;
  actor: Actor | null;
  repository?: string | null;
  digest?: string | null;
  details?: Record<string, unknown>;
}

/** A page of audit events, newest first, and the cursor for the next (older) page. */
export interface AuditPage {
  events: AuditRecord[];
  nextBefore: number | null;
}

/**
 * The audit trail. `record` never throws: an event that cannot be written is logged as an
 * error with everything it held, so it is never lost silently and never fails the action
 * it describes. `recordWithin` writes in the caller's transaction instead, for actions
 * that already write the database: the event commits with its change, and one commit
 * (one fsync) covers both.
 */
export class AuditLog {
  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    const record = auditRecordOf(event);
    try {
      await insertAuditRecord(this.db, record);
    } catch (error) {
      // A full disk is the operator's to fix and is reported where it happens; an audit
      // event it loses is still worth a line, but not an error per request.
      const report = isOutOfSpace(error) ? this.log.warn : this.log.error;
      report.call(this.log, "audit event could not be written", {
        error: error instanceof Error ? error.message : String(error),
        event: JSON.stringify(record),
      });
    }
  }

  /** Events matching the filter, newest first, `limit` at most (capped at 1000). */
  /** Writes `event` within `transaction`: it commits or rolls back with the change. */
  async recordWithin(transaction: Db, event: AuditEvent): Promise<void> {
    await insertAuditRecord(transaction, auditRecordOf(event));
  }

  async query(filter: Omit<AuditFilter, "limit"> & { limit?: number }): Promise<AuditPage> {
    const limit = Math.min(Math.max(1, filter.limit ?? 100), 1000);
    const events = await queryAuditRecords(this.db, { ...filter, limit: limit + 1 });
    const page = events.slice(0, limit);
    const last = page.at(-1);
    return { events: page, nextBefore: events.length > limit && last ? last.id : null };
  }
}

function auditRecordOf(event: AuditEvent): Omit<AuditRecord, "id"> {
  return {
    time: Date.now(),
    eventType: event.type,
    actor: event.actor?.name ?? null,
    repository: event.repository ?? null,
    digest: event.digest ?? null,
    clientAddress: event.actor?.clientAddress ?? null,
    details: event.details ?? null,
  };
}

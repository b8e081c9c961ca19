import type { Db } from "./schema.ts";

/** One stored audit event. */
export interface AuditRecord {
  id: number;
  time: number;
  eventType: string;
  actor: string | null;
  repository: string | null;
  digest: string | null;
  clientAddress: string | null;
  details: Record<string, unknown> | null;
}

/** Filters for reading the audit log; all optional, combined with AND. */
export interface AuditFilter {
  eventType?: string;
  actor?: string;
  repository?: string;
  /** Milliseconds since the epoch, inclusive. */
  since?: number;
  /** Milliseconds since the epoch, exclusive. */
  until?: number;
  /** Return only events older than this id (the previous page's cursor). */
  before?: number;
  limit: number;
}

export async function insertAuditRecord(db: Db, record: Omit<AuditRecord, "id">) {
  await db
    .insertInto("audit_log")
    .values({
      time: record.time,
      event_type: record.eventType,
      actor: record.actor,
      repository: record.repository,
      digest: record.digest,
      client_address: record.clientAddress,
      details: record.details ? JSON.stringify(record.details) : null,
    })
    .execute();
}

/** Events matching the filter, newest first. */
export async function queryAuditRecords(db: Db, filter: AuditFilter): Promise<AuditRecord[]> {
  let query = db.selectFrom("audit_log").selectAll().orderBy("id", "desc").limit(filter.limit);
  if (filter.eventType) query = query.where("event_type", "=", filter.eventType);
  if (filter.actor) query = query.where("actor", "=", filter.actor);
  if (filter.repository) query = query.where("repository", "=", filter.repository);
  if (filter.since !== undefined) query = query.where("time", ">=", filter.since);
  if (filter.until !== undefined) query = query.where("time", "<", filter.until);
  if (filter.before !== undefined) query = query.where("id", "<", filter.before);
  return (await query.execute()).map((row) => ({
    id: row.id,
    time: row.time,
    eventType: row.event_type,
    actor: row.actor,
    repository: row.repository,
    digest: row.digest,
    clientAddress: row.client_address,
    details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null,
  }));
}

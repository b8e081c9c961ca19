import type { AuditLog } from "../audit/audit-log.ts";
import type { Db } from "../db/schema.ts";
import type { Logger } from "../log/logger.ts";
import type { BlobStore } from "../storage/blob-store.ts";

/** What every registry service works with. */
export interface RegistryContext {
  db: Db;
  store: BlobStore;
  log: Logger;
  audit: AuditLog;
}

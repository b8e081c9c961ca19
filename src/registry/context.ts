import type { AuditLog } from "../audit/audit-log.ts";
import type { GroupCommit } from "../db/group-commit.ts";
import type { ManifestLookup } from "../db/manifest-lookup.ts";
import type { Db } from "../db/schema.ts";
import type { Logger } from "../log/logger.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import type { KeyedLock } from "./keyed-lock.ts";

/** What every registry service works with. */
export interface RegistryContext {
  db: Db;
  /** Small concurrent changes (manifests, tags, upload rows, mounts) committed together. */
  groupCommit: GroupCommit;
  /** Manifest reads of the pull path, on the same database as `db`. */
  manifestLookup: ManifestLookup;
  store: BlobStore;
  log: Logger;
  audit: AuditLog;
  /**
   * Held per digest while an upload turns into a blob and while garbage collection deletes
   * a blob's file, so that the collector never deletes a file a client has just committed.
   */
  digestLocks: KeyedLock;
}

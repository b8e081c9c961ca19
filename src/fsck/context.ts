import type { Db } from "../db/schema.ts";
import type { BlobStore } from "../storage/blob-store.ts";

/** What every fsck check works with. */
export interface FsckContext {
  db: Db;
  store: BlobStore;
  /** Where `mcr snapshot` writes, to find copies a crash interrupted. */
  snapshotDir: string;
  /** storage.upload_max_age: an upload idle for longer is abandoned. */
  uploadMaxAgeSeconds: number;
  now: number;
}

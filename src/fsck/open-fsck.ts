import { existsSync } from "node:fs";
import type { Config } from "../config/config.ts";
import {
  type MetadataDatabase,
  openDatabase,
  openDatabaseReadOnly,
  verifyMcrDatabase,
} from "../db/database.ts";
import { lockDataFolder, runningOwner } from "../storage/data-folder-lock.ts";
import { FilesystemBlobStore } from "../storage/filesystem-store.ts";
import { FsckService } from "./fsck-service.ts";

/** Why fsck cannot run as asked: the folder is missing, or busy for a repair. */
export class FsckRefusedError extends Error {}

/** An fsck ready to run on a data folder, and what to release afterwards. */
export interface OpenedFsck {
  service: FsckService;
  /** The pid of a `mcr serve` running on the folder (read-only checks only), or null. */
  servePid: number | null;
  close(): Promise<void>;
}

/**
 * Opens a data folder and its database the way `mcr serve` finds them, for checking.
 *
 * Checking only reads, so it may run beside a serving `mcr serve` (its report then names the
 * server: a push or collection in flight can look like a leftover). Repairing deletes files
 * whose row may be a moment away, so it takes the folder's lock as `mcr serve` does: it is
 * refused while a server runs, and no server can start until it is done. A lock left by a
 * dead server is taken over.
 */
export async function openFsck(config: Config, options: { repair: boolean }): Promise<OpenedFsck> {
  const dataDir = config.storage.dataDir;
  if (!existsSync(dataDir)) throw new FsckRefusedError(`there is no data folder at ${dataDir}`);
  if (!existsSync(config.database.path)) {
    throw new FsckRefusedError(`there is no database at ${config.database.path}`);
  }

  const servePid = runningOwner(dataDir);
  if (options.repair && servePid !== null) {
    throw new FsckRefusedError(
      `--repair needs the data folder to itself, and mcr serve (pid ${servePid}) is using it; ` +
        "stop it first, or check without --repair while it serves",
    );
  }
  // A repair opens the database for writing, which migrates it: it must first be sure the
  // file is an MCR database this build knows, or it would add MCR's tables to another
  // application's file.
  try {
    if (options.repair) verifyMcrDatabase(config.database);
  } catch (error) {
    throw new FsckRefusedError((error as Error).message);
  }

  let unlock = () => {};
  let metadata: MetadataDatabase;
  try {
    if (options.repair) {
      unlock = lockDataFolder(dataDir);
      metadata = openDatabase(config.database);
    } else {
      metadata = openDatabaseReadOnly(config.database);
    }
  } catch (error) {
    unlock();
    throw new FsckRefusedError((error as Error).message);
  }

  try {
    // Opened without creating blobs/ or uploads/: a check only reads, and a repair has
    // nothing to put there.
    const store = await FilesystemBlobStore.open(dataDir, { create: false });
    const service = new FsckService({
      db: metadata.db,
      store,
      snapshotDir: config.snapshot.dir,
      uploadMaxAgeSeconds: config.storage.uploadMaxAge,
      now: Date.now(),
    });
    return {
      service,
      servePid,
      close: async () => {
        await metadata.close();
        unlock();
      },
    };
  } catch (error) {
    await metadata.close();
    unlock();
    throw error;
  }
}

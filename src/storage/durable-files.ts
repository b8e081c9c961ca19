import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Flushes a folder's entries to disk, so that a rename or a new file in it survives a power
 * cut. Linux needs this separately from syncing the file itself.
 */
export function syncFolder(path: string): Promise<void> {
  return fsyncPath(path);
}

/** Flushes a file's bytes and size to disk. */
export function syncFile(path: string): Promise<void> {
  return fsyncPath(path);
}

/** fsync(2) of whatever `path` names: Linux opens folders read-only for this too. */
async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates a folder and any missing parents, syncing each parent that gained an entry so the
 * new folders are durable too.
 */
export async function makeFolderDurably(path: string): Promise<void> {
  const created = await mkdir(path, { recursive: true });
  if (created === undefined) return;
  let folder = path;
  while (folder.length >= created.length) {
    await syncFolder(dirname(folder));
    folder = dirname(folder);
  }
}

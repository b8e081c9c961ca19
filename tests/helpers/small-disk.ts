import { closeSync, openSync, writeSync } from "node:fs";
import { makeTempFolder, removeFolder } from "./test-registry.ts";

/** mount(8) needs root; the disk-full tests are skipped, with a message, for anyone else. */
export const canMount = process.getuid?.() === 0;

/** A size-limited tmpfs mounted on a new temporary folder: a disk that can really fill up. */
export interface SmallDisk {
  path: string;
  /** Unmounts and removes the folder; throws if the mount had to be detached lazily. */
  remove(): void;
}

/** Mounts a tmpfs of `size` (as mount's size= option, e.g. "16m"); throws with mount's words. */
export function mountSmallDisk(size: string, prefix: string): SmallDisk {
  const path = makeTempFolder(prefix);
  const mount = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${size}`, "tmpfs", path]);
  if (mount.exitCode !== 0) {
    removeFolder(path);
    throw new Error(`mount -t tmpfs failed (exit ${mount.exitCode}): ${mount.stderr}`);
  }
  return {
    path,
    remove() {
      const unmount = Bun.spawnSync(["umount", path]);
      if (unmount.exitCode !== 0) {
        // Something still holds a file open; detach it rather than leave a mount behind.
        Bun.spawnSync(["umount", "--lazy", path]);
        throw new Error(`umount ${path} failed: ${unmount.stderr}`);
      }
      removeFolder(path);
    },
  };
}

/** Writes zeros to `path` until the disk refuses, so that nothing is left for anyone. */
export function fillTheRest(path: string): number {
  const handle = openSync(path, "w");
  const zeros = new Uint8Array(64 * 1024);
  let written = 0;
  try {
    for (;;) written += writeSync(handle, zeros);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    closeSync(handle);
  }
  return written;
}

import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

/** The file in the data folder that names the process serving it. */
export const LOCK_FILE = "serve.lock";

/**
 * Claims a data folder for this process. Two servers on one folder would each trust their
 * own in-memory state (policy rules, the per-digest locks that keep garbage collection from
 * deleting a blob an upload is committing) and corrupt each other's view, so a second
 * `mcr serve` must refuse to start. The lock names the owner's pid: a lock left by a process
 * that no longer runs (a crash, kill -9) is taken over.
 *
 * @returns a function that releases the lock.
 */
export function lockDataFolder(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = openSync(path, "wx", 0o600);
      writeSync(handle, `${process.pid}\n`);
      closeSync(handle);
      return () => releaseIfOurs(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = ownerOf(path);
    // This process already holds it: an in-process restart, as tests do.
    if (owner === process.pid) return () => releaseIfOurs(path);
    if (owner !== null && isRunning(owner)) {
      throw new Error(
        `data folder ${dataDir} is in use by another mcr serve (pid ${owner}); stop it first, ` +
          `or delete ${path} if no such process runs`,
      );
    }
    rmSync(path, { force: true });
  }
  throw new Error(`could not lock data folder ${dataDir}: ${path} keeps coming back`);
}

/**
 * The pid of the live process holding the data folder's lock, or null when none does (no
 * lock, or one left by a process that has died).
 */
export function runningOwner(dataDir: string): number | null {
  const owner = ownerOf(join(dataDir, LOCK_FILE));
  return owner !== null && owner !== process.pid && isRunning(owner) ? owner : null;
}

function ownerOf(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function releaseIfOurs(path: string): void {
  if (ownerOf(path) === process.pid) rmSync(path, { force: true });
}

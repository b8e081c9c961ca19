import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { currentProcess, isAlive, type ProcessIdentity } from "./process-identity.ts";

/** The file in the data folder that names the process serving it. */
export const LOCK_FILE = "serve.lock";

/**
 * Claims a data folder for this process. Two servers on one folder would each trust their
 * own in-memory state (policy rules, the per-digest locks that keep garbage collection from
 * deleting a blob an upload is committing) and corrupt each other's view, so a second
 * `mcr serve` must refuse to start. The lock names the owner's pid and start time: a lock
 * left by a process that no longer runs (a crash, kill -9) is taken over, and so is one whose
 * pid now belongs to another process (pids are reused, after a reboot most of all).
 *
 * @returns a function that releases the lock.
 */
export function lockDataFolder(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  const self = currentProcess();
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = openSync(path, "wx", 0o600);
      writeSync(handle, `${self.pid} ${self.startTime ?? ""}\n`);
      closeSync(handle);
      return () => releaseIfOurs(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = ownerOf(path);
    // This process already holds it: an in-process restart, as tests do.
    if (owner?.pid === process.pid) return () => releaseIfOurs(path);
    if (owner !== null && isAlive(owner)) {
      throw new Error(
        `data folder ${dataDir} is in use by another mcr serve (pid ${owner.pid}); stop it ` +
          `first, or delete ${path} if no such process runs`,
      );
    }
    rmSync(path, { force: true });
  }
  throw new Error(`could not lock data folder ${dataDir}: ${path} keeps coming back`);
}

/**
 * The pid of the live process holding the data folder's lock, or null when none does (no
 * lock, or one left by a process that has died or whose pid another process now has).
 */
export function runningOwner(dataDir: string): number | null {
  const owner = ownerOf(join(dataDir, LOCK_FILE));
  return owner !== null && owner.pid !== process.pid && isAlive(owner) ? owner.pid : null;
}

/**
 * Reads "<pid> <start time>"; a lock written before start times were recorded holds the pid
 * alone, and is then trusted while that pid runs.
 */
function ownerOf(path: string): ProcessIdentity | null {
  try {
    const [pidText, startTime] = readFileSync(path, "utf8").trim().split(/\s+/);
    const pid = Number(pidText);
    if (!Number.isSafeInteger(pid) || pid <= 0) return null;
    return { pid, startTime: startTime ? startTime : null };
  } catch {
    return null;
  }
}

function releaseIfOurs(path: string): void {
  if (ownerOf(path)?.pid === process.pid) rmSync(path, { force: true });
}

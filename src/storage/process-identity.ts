import { readFileSync } from "node:fs";

/**
 * A process as the kernel knows it: its pid and when it started. A pid alone names a process
 * only while it runs; after it exits (or after a reboot) the kernel may give the same pid to
 * any other process. The start time (field 22 of /proc/<pid>/stat, in clock ticks since boot)
 * tells the original apart from a newcomer holding its pid. Linux only, as MCR is.
 */
export interface ProcessIdentity {
  pid: number;
  /** Null where /proc cannot say (another OS, or a hardened /proc). */
  startTime: string | null;
}

/** This process, to be written into a lock or a file name. */
export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, startTime: processStartTime(process.pid) };
}

/** The start time of a running process, or null when it does not run or /proc cannot say. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2, the command name, is in parentheses and may hold spaces or ')'; the fields
    // after its last ')' start at field 3, so field 22 is the 20th of them.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * True while the process that `identity` names still runs: its pid is alive and, when the
 * start time is known on both sides, started at the same moment (not a later process that
 * was given the same pid).
 */
export function isAlive(identity: ProcessIdentity): boolean {
  if (!pidRuns(identity.pid)) return false;
  if (identity.startTime === null) return looksLikeMcr(identity.pid);
  const now = processStartTime(identity.pid);
  return now === null || now === identity.startTime;
}

/**
 * For an identity without a start time (a lock written by an older mcr): whether the process
 * with that pid runs mcr serve or fsck, by its arguments. A pid-only lock naming a `sleep`
 * or a shell after a reboot is stale; when /proc cannot say, the process is believed.
 */
function looksLikeMcr(pid: number): boolean {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return true;
  }
  return argv.includes("serve") || argv.includes("fsck");
}

function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

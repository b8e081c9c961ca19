import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHUNK_BYTES } from "./blob-data.ts";
import { writeWithFsync } from "./synced-write.ts";

const ZEROS = new Uint8Array(CHUNK_BYTES);
/** Slack for what the server and the client allocate beside the pages a write fills. */
const SLACK_MIB = 256;

/**
 * Leaves `mib` MiB of the guest's memory freshly freed, a moment before a timed write of
 * `mib` MiB into the page cache.
 *
 * This machine is a virtual machine that reports the memory it leaves free to its host
 * (free page reporting), and the host takes it back. The first touch of such a page then
 * faults in the host: writing 2 GiB with dd and fsync took 1.2-1.9 s of kernel time into
 * memory freed seconds before, against 0.5 s into the page cache of a file deleted a moment
 * before. Without this, the same build pushed 32 blobs in 4.0 s or 7.3 s depending on how
 * long ago anyone had freed memory, and most of the difference was kernel time in the
 * threads writing the files. A scratch file written, synced and deleted leaves its pages
 * free but not yet reported, so each server writes into memory the guest still has, as on a
 * host whose page cache is in steady use. (Memory touched by a process that then exits did
 * not do this: dd was as slow after it as without it.)
 */
export function recycleMemory(mib: number): void {
  const folder = mkdtempSync(join(tmpdir(), "bench-recycle-"));
  try {
    // Synced, so no writeback of it is left to compete with the timed write.
    writeWithFsync(join(folder, "scratch"), mib + SLACK_MIB, () => ZEROS, false);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

import { dlopen, FFIType } from "bun:ffi";

/** A range of an open file: its descriptor, and `length` bytes from `offset`. */
export interface FileRange {
  fd: number;
  offset: number;
  length: number;
}

/**
 * Asks the kernel to start writing a range's dirty pages to disk and returns at once, true
 * if it took the request. It changes no data and promises no durability: the fsync before
 * an upload is acknowledged still decides that.
 */
export type StartWriteback = (range: FileRange) => boolean;

/** sync_file_range(2): start writeback of the range's dirty pages; wait for nothing. */
const SYNC_FILE_RANGE_WRITE = 2;

/**
 * `sync_file_range` from the C library, or null where there is none (not Linux, or a C
 * library without it), which only means the fsync does all the writing at the end.
 *
 * Why: an upload's bytes sit dirty in the page cache until the fsync before 201, so the disk
 * idled while a 1 GiB body arrived and then wrote it all while the client waited. Started
 * every few MiB, the writing overlaps the upload, and the fsync finds little left
 * (BENCHMARKS.md, "Before and after: early writeback").
 *
 * Loading compiles a small call stub, so the hashing threads load it once each, and only
 * they call it: a call costs about 3 ms per 16 MiB of kernel time, too much for the thread
 * that reads requests.
 */
export function loadStartWriteback(): StartWriteback | null {
  if (process.platform !== "linux") return null;
  try {
    const libc = dlopen("libc.so.6", {
      sync_file_range: {
        args: [FFIType.i32, FFIType.i64, FFIType.i64, FFIType.u32],
        returns: FFIType.i32,
      },
    });
    const syncFileRange = libc.symbols.sync_file_range;
    return ({ fd, offset, length }) =>
      syncFileRange(fd, offset, length, SYNC_FILE_RANGE_WRITE) === 0;
  } catch {
    return null;
  }
}

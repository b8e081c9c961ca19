import type { FileHandle } from "node:fs/promises";
import type { RunningHash } from "./hash-thread.ts";
import { takeChunk } from "./lent-chunks.ts";
import type { FileRange } from "./start-writeback.ts";

/**
 * Chunks gathered before they are written with one call. Bun reads a body in pieces of
 * 64-512 KiB; writing each piece alone made twice the calls and measured slower, both for a
 * lone push and for 32 at once (BENCHMARKS.md).
 */
const WRITE_BYTES = 256 * 1024;
/** Written bytes gathered before they go to the hashing thread in one message. */
const HASH_BATCH_BYTES = 1024 * 1024;
/** Batches of one body sent to its hashing thread and not hashed yet, at most. */
const HASH_BATCHES_IN_FLIGHT = 1;
/** Writes of one body running at once, at most. */
const WRITES_IN_FLIGHT = 2;
/**
 * Buffers gathered for one write, or for one message to the hashing thread, at most. A slow
 * client's body comes in reads of a few hundred bytes, each a buffer of its own costing
 * about 550 bytes more than its bytes: gathered only by bytes, a slow upload held thousands
 * of them (about 2.7 MiB for 1 MiB of body). Fast bodies come in reads of 128 KiB or more,
 * so for them the byte limits still decide.
 */
const MAX_BUFFERS_GATHERED = 64;
/**
 * Written and hashed bytes the hashing thread is asked to start writing to disk at once.
 * Against none, 8 MiB made a 1 GiB push 22% faster and 32 pushes at once 17% faster; 32 MiB
 * helped the lone push as much and the 32 pushes half as much (BENCHMARKS.md).
 */
const WRITEBACK_BYTES = 8 * 1024 * 1024;

/** A write in flight: the buffers it reads, their bytes, and the file offset it ends at. */
type Write = { done: Promise<void>; buffers: ArrayBuffer[]; bytes: number; end: number };

/**
 * Writes every chunk of `body` to `handle` from `offset` and adds it to `hash`, calling
 * `onChunk` with each chunk first (it may throw to stop the body). Returns the offset after
 * the last byte.
 *
 * Chunks are taken, not copied (`takeChunk`): a lent body's chunk keeps its own buffer,
 * which is written from where it is (on the file system's thread pool) and then handed to
 * the hashing thread, which frees it; its bytes are never copied in this process. Chunks
 * are gathered into writes of about 256 KiB, two of which run while the next chunks arrive,
 * and written buffers go to the hashing thread about 1 MiB at a time, in the body's order.
 * Every 8 MiB or so, the thread also starts the disk writing what it has hashed, so the
 * caller's fsync has little left to write.
 *
 * When this throws, no write is left running, so the caller may cut the file back; the hash
 * then holds an unknown part of the bytes and must be dropped.
 */
export async function writeBody(
  handle: FileHandle,
  offset: number,
  body: AsyncIterable<Uint8Array>,
  hash: RunningHash,
  lent: boolean,
  onChunk: (chunk: Uint8Array) => void,
): Promise<number> {
  const writes: Write[] = [];
  const hashing: Promise<void>[] = [];
  let gathered: ArrayBuffer[] = [];
  let gatheredBytes = 0;
  let toHash: ArrayBuffer[] = [];
  let toHashBytes = 0;
  /** The file offset after the bytes in `toHash`, and where the next writeback range starts. */
  let toHashEnd = offset;
  let writebackFrom = offset;
  let position = offset;

  const startWrite = () => {
    const done = writeBuffers(handle, gathered, position);
    // Awaited in order below; this keeps a failure not awaited yet from counting as unhandled.
    done.catch(() => {});
    position += gatheredBytes;
    writes.push({ done, buffers: gathered, bytes: gatheredBytes, end: position });
    gathered = [];
    gatheredBytes = 0;
  };
  const handOver = () => {
    let writeback: FileRange | undefined;
    if (toHashEnd - writebackFrom >= WRITEBACK_BYTES) {
      writeback = { fd: handle.fd, offset: writebackFrom, length: toHashEnd - writebackFrom };
      writebackFrom = toHashEnd;
    }
    const hashed = hash.take(toHash, writeback);
    hashed.catch(() => {});
    hashing.push(hashed);
    toHash = [];
    toHashBytes = 0;
  };
  // Writes may end in any order, but the hash must see the bytes in the body's order, and a
  // buffer sent to the thread is detached here, so only once its write has read it.
  const finishOldestWrite = async () => {
    const oldest = writes.shift() as Write;
    await oldest.done;
    toHash.push(...oldest.buffers);
    toHashBytes += oldest.bytes;
    toHashEnd = oldest.end;
    if (toHashBytes < HASH_BATCH_BYTES && toHash.length < MAX_BUFFERS_GATHERED) return;
    handOver();
    // Bounds the bytes waiting on the thread when it falls behind.
    if (hashing.length > HASH_BATCHES_IN_FLIGHT) await hashing.shift();
  };

  try {
    for await (const chunk of body) {
      onChunk(chunk);
      if (chunk.length === 0) continue;
      gathered.push(takeChunk(chunk, lent));
      gatheredBytes += chunk.length;
      if (gatheredBytes < WRITE_BYTES && gathered.length < MAX_BUFFERS_GATHERED) continue;
      startWrite();
      if (writes.length > WRITES_IN_FLIGHT) await finishOldestWrite();
    }
    if (gatheredBytes > 0) startWrite();
    while (writes.length > 0) await finishOldestWrite();
    if (toHashBytes > 0) handOver();
    for (const hashed of hashing) await hashed;
    return position;
  } finally {
    // On failure too, nothing returns while a write may still read a buffer.
    await Promise.allSettled(writes.map((write) => write.done));
    await Promise.allSettled(hashing);
  }
}

/** Writes `buffers`, in order, at `position`, however many calls the system takes. */
async function writeBuffers(
  handle: FileHandle,
  buffers: ArrayBuffer[],
  position: number,
): Promise<void> {
  let views: Uint8Array[] = buffers.map((buffer) => new Uint8Array(buffer));
  let at = position;
  while (views.length > 0) {
    const first = views[0] as Uint8Array;
    const { bytesWritten } =
      views.length === 1
        ? await handle.write(first, 0, first.length, at)
        : await handle.writev(views, at);
    at += bytesWritten;
    views = remainingAfter(views, bytesWritten);
  }
}

/** What of `views` is left once their first `count` bytes were written. */
function remainingAfter(views: Uint8Array[], count: number): Uint8Array[] {
  let skipped = count;
  let index = 0;
  while (index < views.length && skipped >= (views[index] as Uint8Array).length) {
    skipped -= (views[index] as Uint8Array).length;
    index++;
  }
  const rest = views.slice(index);
  if (rest.length > 0 && skipped > 0) rest[0] = (rest[0] as Uint8Array).subarray(skipped);
  return rest;
}

import type { FileHandle } from "node:fs/promises";
import type { LocalHash } from "./local-hash.ts";
import { writeAll } from "./write-stream.ts";

/**
 * Writes every chunk of `body` to `handle` from `offset` as it comes, from the chunk's own
 * buffer, adding it to `hash` on this thread; `onChunk` sees each chunk first and may throw
 * to stop. Each write finishes before the next chunk is asked for, so a lent body may free
 * a chunk then, and when this throws no write is left running. Returns the offset after the
 * last byte.
 *
 * Beside `writeStream` this skips the copy into a slot and the hashing thread: with dozens
 * of uploads at once the bytes are written while still in the cache, and the slots' copies
 * and messages cost more than the hashing they move off the main thread.
 */
export async function writeDirect(
  handle: FileHandle,
  offset: number,
  body: AsyncIterable<Uint8Array>,
  hash: LocalHash,
  onChunk: (chunk: Uint8Array) => void,
): Promise<number> {
  let position = offset;
  for await (const chunk of body) {
    onChunk(chunk);
    hash.add(chunk);
    await writeAll(handle, chunk, position);
    position += chunk.length;
  }
  return position;
}

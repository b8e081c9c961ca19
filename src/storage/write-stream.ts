import type { FileHandle } from "node:fs/promises";

/** Request bodies arrive in small chunks; writing them in 1 MiB pieces saves system calls. */
const WRITE_BUFFER_BYTES = 1024 * 1024;

/**
 * Writes every chunk of `body` to `handle` starting at `offset`, calling `onChunk` with each
 * chunk (to hash it) in order. Returns the offset after the last byte written.
 */
export async function writeStream(
  handle: FileHandle,
  offset: number,
  body: AsyncIterable<Uint8Array>,
  onChunk: (chunk: Uint8Array) => void,
): Promise<number> {
  const buffer = new Uint8Array(WRITE_BUFFER_BYTES);
  let buffered = 0;
  let position = offset;

  const flush = async (bytes: Uint8Array) => {
    let written = 0;
    while (written < bytes.length) {
      const result = await handle.write(bytes, written, bytes.length - written, position + written);
      written += result.bytesWritten;
    }
    position += bytes.length;
  };

  for await (const chunk of body) {
    onChunk(chunk);
    if (buffered + chunk.length > buffer.length) {
      await flush(buffer.subarray(0, buffered));
      buffered = 0;
    }
    if (chunk.length >= buffer.length) {
      await flush(chunk);
    } else {
      buffer.set(chunk, buffered);
      buffered += chunk.length;
    }
  }
  await flush(buffer.subarray(0, buffered));
  return position;
}

/**
 * Bodies whose chunks are lent (`lentBodyChunks`): the lender frees each chunk's buffer when
 * the next chunk is asked for, unless the consumer took it. Taking a chunk keeps its buffer
 * alive without copying its bytes; the consumer then owns it, and may send it to another
 * thread (which detaches it here).
 */
const lentBodies = new WeakSet<object>();
const takenBuffers = new WeakSet<ArrayBuffer>();

/** Marks `body` as lending its chunks, and returns it. */
export function markLent<T extends object>(body: T): T {
  lentBodies.add(body);
  return body;
}

export function isLent(body: object): boolean {
  return lentBodies.has(body);
}

/**
 * A buffer of exactly `chunk`'s bytes that the caller owns from now on: the chunk's own when
 * it is lent and fills a plain buffer of its own, otherwise a copy. A buffer shared with other
 * chunks, or one that was not lent, stays with whoever gave it, who may still read it.
 */
export function takeChunk(chunk: Uint8Array, lent: boolean): ArrayBuffer {
  const buffer = chunk.buffer;
  const ownsItsBuffer =
    buffer instanceof ArrayBuffer &&
    !buffer.resizable &&
    !buffer.detached &&
    chunk.byteOffset === 0 &&
    chunk.byteLength === buffer.byteLength;
  if (!lent || !ownsItsBuffer) return chunk.slice().buffer;
  takenBuffers.add(buffer);
  return buffer;
}

/** True when a consumer took `buffer`: its lender must leave it alone. */
export function wasTaken(buffer: ArrayBuffer): boolean {
  return takenBuffers.has(buffer);
}

import { closeSync, existsSync, openSync, renameSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Bytes of one generated chunk; blobs are whole numbers of chunks. */
export const CHUNK_BYTES = 1024 * 1024;

const BASE = (() => {
  const chunk = new Uint8Array(CHUNK_BYTES);
  const words = new Uint32Array(chunk.buffer);
  let state = 2463534242;
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    words[i] = state >>> 0;
  }
  return chunk;
})();

/**
 * Chunk `index` of blob `seed`: one random megabyte stamped with the seed and index, so
 * distinct seeds give distinct digests while making a chunk costs only a copy (the client
 * shares the two cores with the servers).
 */
export function chunkOf(seed: number, index: number): Uint8Array {
  const chunk = BASE.slice();
  const stamp = new DataView(chunk.buffer);
  stamp.setUint32(0, seed);
  stamp.setUint32(4, index);
  return chunk;
}

const digests = new Map<string, string>();

/** The sha256 digest of blob `seed` of `mib` chunks, computed once per run. */
export function digestOf(seed: number, mib: number): string {
  const key = `${seed}/${mib}`;
  const known = digests.get(key);
  if (known) return known;
  const hasher = new Bun.CryptoHasher("sha256");
  for (let i = 0; i < mib; i++) hasher.update(chunkOf(seed, i));
  const digest = `sha256:${hasher.digest("hex")}`;
  digests.set(key, digest);
  return digest;
}

/** Blob `seed` as a stream, chunks `from` (inclusive) to `to` (exclusive). */
export function streamOf(seed: number, from: number, to: number): ReadableStream<Uint8Array> {
  let next = from;
  return new ReadableStream({
    pull(controller) {
      if (next >= to) return controller.close();
      controller.enqueue(chunkOf(seed, next));
      next++;
    },
  });
}

/**
 * Blob `seed` of `mib` chunks as a file, written once per run into the temporary folder, for
 * clients that upload from a file (curl). It stays in the page cache on a machine with room.
 */
export function fileOf(seed: number, mib: number): string {
  const path = join(tmpdir(), `mcr-bench-blob-${seed}-${mib}.bin`);
  if (existsSync(path)) return path;
  // Written aside and renamed, so an interrupted run leaves no short file under the name.
  const partial = `${path}.partial`;
  const handle = openSync(partial, "w");
  try {
    for (let i = 0; i < mib; i++) writeSync(handle, chunkOf(seed, i));
  } finally {
    closeSync(handle);
  }
  renameSync(partial, path);
  return path;
}

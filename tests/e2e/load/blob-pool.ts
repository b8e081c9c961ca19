/**
 * Blob contents for the load test, made on demand from an index: the test can push, pull
 * and compare thousands of blobs without holding them, and a long run stores at most
 * POOL_SIZE distinct blobs (pushing one again is the "already stored" path of a commit).
 */

/** Distinct blobs a run can push. */
export const POOL_SIZE = 16_384;

const MIN_BYTES = 512;
const SPREAD_BYTES = 64 * 1024;

/** The bytes of blob `index`: 0.5 to 64.5 KiB of pseudo-random data, its index first. */
export function blobBytes(index: number): Uint8Array {
  const size = blobSize(index);
  const bytes = new Uint8Array(size);
  const words = new Uint32Array(bytes.buffer, 0, size >>> 2);
  // xorshift32, seeded by the index, so that no two blobs of the pool are alike.
  let state = (index + 1) * 0x9e3779b1 || 1;
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    words[i] = state >>> 0;
  }
  new DataView(bytes.buffer).setUint32(0, index);
  return bytes;
}

const digests = new Map<number, string>();
const indexes = new Map<string, number>();

/** `sha256:<hex>` of blob `index`, computed once. */
export function blobDigest(index: number): string {
  let digest = digests.get(index);
  if (!digest) {
    digest = `sha256:${new Bun.CryptoHasher("sha256").update(blobBytes(index)).digest("hex")}`;
    digests.set(index, digest);
    indexes.set(digest, index);
  }
  return digest;
}

/** The pool index of a digest made by {@link blobDigest}. */
export function blobIndexOf(digest: string): number {
  const index = indexes.get(digest);
  if (index === undefined) throw new Error(`${digest} is not a pool blob`);
  return index;
}

/** The size of blob `index` without making it. */
export function blobSize(index: number): number {
  return MIN_BYTES + (((index * 2_654_435_761) >>> 0) % SPREAD_BYTES);
}

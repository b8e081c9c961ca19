import { afterEach, beforeEach, expect, spyOn, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { FilesystemBlobStore } from "../../src/storage/filesystem-store.ts";
import { RunningHash } from "../../src/storage/hash-thread.ts";
import { LocalHash } from "../../src/storage/local-hash.ts";
import { StorageError } from "../../src/storage/storage-error.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

/** Bytes whose value depends on position and seed, so misplaced writes change the digest. */
function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) % 251;
  return bytes;
}

const sha256 = (bytes: Uint8Array) => new Bun.CryptoHasher("sha256").update(bytes).digest("hex");

/** `bytes` in chunks of `size`, each in a buffer of its own as a request body's are. */
async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
}

let dataDir: string;
let store: FilesystemBlobStore;
beforeEach(async () => {
  dataDir = makeTempFolder("mcr-crowd-");
  store = await FilesystemBlobStore.open(dataDir);
});
afterEach(() => removeFolder(dataDir));

async function startUploads(count: number) {
  const ids = Array.from({ length: count }, () => crypto.randomUUID());
  for (const id of ids) await store.startUpload(id);
  return ids;
}

test("uploads that start together hash on this thread, and every blob is exact", async () => {
  const onThisThread = spyOn(LocalHash.prototype, "add");
  const viaSlots = spyOn(RunningHash.prototype, "update");
  try {
    const ids = await startUploads(8);
    const datas = ids.map((_, i) => pattern(3 * 1024 * 1024 + i * 4099, i));
    const sizes = await Promise.all(
      ids.map((id, i) => store.appendUpload(id, 0, chunked(datas[i] as Uint8Array, 70_000))),
    );
    expect(sizes).toEqual(datas.map((data) => data.length));
    expect(onThisThread).toHaveBeenCalled();
    expect(viaSlots).not.toHaveBeenCalled();

    // A second PATCH of each stays on the hash its first bytes went to.
    const tails = ids.map((_, i) => pattern(1000 + i, 100 + i));
    await Promise.all(
      ids.map((id, i) =>
        store.appendUpload(id, sizes[i] as number, chunked(tails[i] as Uint8Array, 300)),
      ),
    );
    for (const [i, id] of ids.entries()) {
      const whole = new Uint8Array([...(datas[i] as Uint8Array), ...(tails[i] as Uint8Array)]);
      const digest = `sha256:${sha256(whole)}`;
      await store.commitUpload(id, whole.length, digest);
      const hex = digest.slice(7);
      const file = join(dataDir, "blobs", "sha256", hex.slice(0, 2), hex);
      expect(sha256(readFileSync(file))).toBe(hex);
    }
    expect(viaSlots).not.toHaveBeenCalled();
  } finally {
    onThisThread.mockRestore();
    viaSlots.mockRestore();
  }
});

test("a lone upload still goes through the slots and the hashing thread", async () => {
  const viaSlots = spyOn(RunningHash.prototype, "update");
  try {
    const [id] = await startUploads(1);
    const data = pattern(2 * 1024 * 1024 + 5, 7);
    await store.appendUpload(id as string, 0, chunked(data, 65_536));
    expect(viaSlots).toHaveBeenCalled();
    await store.commitUpload(id as string, data.length, `sha256:${sha256(data)}`);
  } finally {
    viaSlots.mockRestore();
  }
});

test("in a crowd, a wrong digest is refused and a broken body leaves the upload as it was", async () => {
  const onThisThread = spyOn(LocalHash.prototype, "add");
  const ids = await startUploads(4);
  const data = pattern(1024 * 1024, 3);
  async function* broken(): AsyncGenerator<Uint8Array> {
    yield data.slice(0, 500_000);
    throw new Error("connection reset");
  }
  const results = await Promise.allSettled([
    store.appendUpload(ids[0] as string, 0, chunked(data, 100_000)),
    store.appendUpload(ids[1] as string, 0, broken()),
    store.appendUpload(ids[2] as string, 0, chunked(data, 100_000), 1000),
    store.appendUpload(ids[3] as string, 0, chunked(data, 100_000)),
  ]);
  expect(results.map((result) => result.status)).toEqual([
    "fulfilled",
    "rejected",
    "rejected",
    "fulfilled",
  ]);
  // The broken body and the over-long one are cut back to where they began.
  expect(statSync(join(dataDir, "uploads", ids[1] as string)).size).toBe(0);
  expect(statSync(join(dataDir, "uploads", ids[2] as string)).size).toBe(0);

  const wrong = `sha256:${sha256(pattern(10, 1))}`;
  const refused = await store.commitUpload(ids[0] as string, data.length, wrong).catch((e) => e);
  expect(refused).toBeInstanceOf(StorageError);
  expect((refused as StorageError).kind).toBe("digest-mismatch");
  await store.commitUpload(ids[3] as string, data.length, `sha256:${sha256(data)}`);
  expect(onThisThread).toHaveBeenCalled();
  onThisThread.mockRestore();
});

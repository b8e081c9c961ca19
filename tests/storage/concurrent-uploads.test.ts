import { afterEach, beforeEach, expect, spyOn, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { join } from "node:path";
import { FilesystemBlobStore } from "../../src/storage/filesystem-store.ts";
import { RunningHash } from "../../src/storage/hash-thread.ts";
import { markLent } from "../../src/storage/lent-chunks.ts";
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
  dataDir = makeTempFolder("mcr-concurrent-");
  store = await FilesystemBlobStore.open(dataDir);
});
afterEach(() => removeFolder(dataDir));

async function startUploads(count: number) {
  const ids = Array.from({ length: count }, () => crypto.randomUUID());
  for (const id of ids) await store.startUpload(id);
  return ids;
}

/** Counts the write calls made through any FileHandle while `work` runs. */
async function writeCallsDuring(work: () => Promise<unknown>): Promise<number> {
  const probe = await open(join(dataDir, "probe"), "w");
  const prototype = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  const writes = spyOn(prototype, "write");
  const vectored = spyOn(prototype, "writev");
  try {
    await work();
    return writes.mock.calls.length + vectored.mock.calls.length;
  } finally {
    writes.mockRestore();
    vectored.mockRestore();
  }
}

test("uploads that run together gather their chunks, and every blob is exact", async () => {
  const hashed = spyOn(RunningHash.prototype, "take");
  try {
    const ids = await startUploads(8);
    const datas = ids.map((_, i) => pattern(3 * 1024 * 1024 + i * 4099, i));
    let sizes: number[] = [];
    const calls = await writeCallsDuring(async () => {
      sizes = await Promise.all(
        ids.map((id, i) => store.appendUpload(id, 0, chunked(datas[i] as Uint8Array, 70_000))),
      );
    });
    expect(sizes).toEqual(datas.map((data) => data.length));
    // Each write gathers four chunks of 70,000 bytes, the first to pass 256 KiB.
    const writes = datas.reduce((sum, data) => sum + Math.ceil(data.length / 70_000 / 4), 0);
    expect(calls).toBe(writes);
    expect(hashed).toHaveBeenCalled();

    // A second PATCH of each goes on from the same running hash.
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
  } finally {
    hashed.mockRestore();
  }
});

test("the chunks of lent bodies go to the hashing thread uncopied", async () => {
  const ids = await startUploads(4);
  const datas = ids.map((_, i) => pattern(2 * 1024 * 1024 + i * 333, 20 + i));
  const handed: Uint8Array[][] = ids.map(() => []);
  async function* lentChunks(data: Uint8Array, into: Uint8Array[]) {
    for await (const chunk of chunked(data, 90_000)) {
      into.push(chunk);
      yield chunk;
    }
  }
  const sizes = await Promise.all(
    ids.map((id, i) =>
      store.appendUpload(id, 0, markLent(lentChunks(datas[i] as Uint8Array, handed[i] ?? []))),
    ),
  );
  expect(sizes).toEqual(datas.map((data) => data.length));
  // Sent to the thread, not copied first: each chunk's own buffer left this thread.
  for (const chunks of handed) {
    expect(chunks.length).toBeGreaterThan(20);
    expect(chunks.every((chunk) => (chunk.buffer as ArrayBuffer).detached)).toBe(true);
  }
  for (const [i, id] of ids.entries()) {
    const data = datas[i] as Uint8Array;
    await store.commitUpload(id, data.length, `sha256:${sha256(data)}`);
  }
});

test("a lone upload gathers its chunks into fewer, larger writes", async () => {
  const [id] = await startUploads(1);
  const data = pattern(2 * 1024 * 1024 + 5, 7);
  const calls = await writeCallsDuring(() =>
    store.appendUpload(id as string, 0, chunked(data, 65_536)),
  );
  // 33 chunks of at most 64 KiB, gathered 256 KiB at a time: 9 writes.
  expect(calls).toBe(9);
  await store.commitUpload(id as string, data.length, `sha256:${sha256(data)}`);
});

test("among uploads at once, a wrong digest is refused and a broken body is cut back", async () => {
  const hashed = spyOn(RunningHash.prototype, "take");
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
  expect(hashed).toHaveBeenCalled();
  hashed.mockRestore();
});

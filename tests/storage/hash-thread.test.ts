import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RunningHash, stopHashThreads } from "../../src/storage/hash-thread.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

const folder = makeTempFolder();
afterAll(() => removeFolder(folder));

function sha256(...parts: Uint8Array[]): string {
  const hasher = new Bun.CryptoHasher("sha256");
  for (const part of parts) hasher.update(part);
  return hasher.digest("hex");
}

function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + seed) % 253;
  return bytes;
}

/** A buffer of its own holding a copy of `bytes`, to hand to the thread. */
const bufferOf = (bytes: Uint8Array) => bytes.slice().buffer;

describe("RunningHash", () => {
  test("an empty state digests as the empty input", async () => {
    const hash = RunningHash.start();
    expect(await hash.digest()).toBe(sha256());
    hash.forget();
  });

  test("buffers taken in order give the digest of the bytes in that order", async () => {
    const parts = [pattern(1000, 1), pattern(1024 * 1024, 2), pattern(17, 3)];
    const hash = RunningHash.start();
    for (const part of parts) await hash.take([bufferOf(part)]);
    expect(await hash.digest()).toBe(sha256(...parts));
    hash.forget();
  });

  test("the buffers of one message are hashed in their order", async () => {
    const parts = [pattern(10, 1), pattern(70_000, 2), pattern(3, 3)];
    const hash = RunningHash.start();
    await hash.take(parts.map(bufferOf));
    expect(await hash.digest()).toBe(sha256(...parts));
    hash.forget();
  });

  test("a writeback range the kernel refuses leaves the hash whole", async () => {
    const parts = [pattern(5000, 5), pattern(300, 6)];
    const hash = RunningHash.start();
    await hash.take([bufferOf(parts[0] as Uint8Array)], { fd: -1, offset: 0, length: 5000 });
    await hash.take([bufferOf(parts[1] as Uint8Array)]);
    expect(await hash.digest()).toBe(sha256(...parts));
    hash.forget();
  });

  test("a taken buffer leaves this thread at once", async () => {
    const buffer = bufferOf(pattern(4096, 4));
    const hash = RunningHash.start();
    const hashed = hash.take([buffer]);
    expect(buffer.detached).toBe(true);
    await hashed;
    hash.forget();
  });

  test("buffers sent without waiting are hashed in the order sent", async () => {
    const parts = Array.from({ length: 6 }, (_, i) => pattern(4096 + i, i));
    const hash = RunningHash.start();
    await Promise.all(parts.map((part) => hash.take([bufferOf(part)])));
    expect(await hash.digest()).toBe(sha256(...parts));
    hash.forget();
  });

  test("a digest leaves the state going on", async () => {
    const first = pattern(300, 4);
    const second = pattern(500, 5);
    const hash = RunningHash.start();
    await hash.take([bufferOf(first)]);
    expect(await hash.digest()).toBe(sha256(first));
    await hash.take([bufferOf(second)]);
    expect(await hash.digest()).toBe(sha256(first, second));
    hash.forget();
  });

  test("two states kept at once do not mix", async () => {
    const a = RunningHash.start();
    const b = RunningHash.start();
    const bytesA = pattern(2048, 6);
    const bytesB = pattern(2048, 7);
    await Promise.all([a.take([bufferOf(bytesA)]), b.take([bufferOf(bytesB)])]);
    expect(await a.digest()).toBe(sha256(bytesA));
    expect(await b.digest()).toBe(sha256(bytesB));
    a.forget();
    b.forget();
  });

  test("resume hashes the first bytes of a file, and the state takes more", async () => {
    const onDisk = pattern(3 * 1024 * 1024 + 5, 8);
    const path = join(folder, "partial");
    writeFileSync(path, onDisk);
    const prefix = onDisk.subarray(0, 2 * 1024 * 1024 + 1);
    const hash = await RunningHash.resume(path, prefix.length);
    expect(await hash.digest()).toBe(sha256(prefix));

    const more = pattern(99, 9);
    await hash.take([bufferOf(more)]);
    expect(await hash.digest()).toBe(sha256(prefix, more));
    hash.forget();
  });

  test("resume of a file that is missing fails", async () => {
    await expect(RunningHash.resume(join(folder, "missing"), 10)).rejects.toThrow();
  });

  test("a forgotten state refuses more bytes and digests", async () => {
    const hash = RunningHash.start();
    hash.forget();
    await expect(hash.take([bufferOf(pattern(5, 1))])).rejects.toThrow(/no running hash/);
    await expect(hash.digest()).rejects.toThrow(/no running hash/);
  });
});

describe("a hashing thread that ends", () => {
  test("fails the answers it owed and marks its states lost", async () => {
    const hash = RunningHash.start();
    const bytes = pattern(1024 * 1024, 11);
    await hash.take([bufferOf(bytes)]);
    expect(hash.lost).toBe(false);

    const owed = hash.digest();
    stopHashThreads();
    await expect(owed).rejects.toThrow(/stopped/);
    expect(hash.lost).toBe(true);

    // The next state starts a new thread.
    const fresh = RunningHash.start();
    await fresh.take([bufferOf(bytes)]);
    expect(await fresh.digest()).toBe(sha256(bytes));
    fresh.forget();
  });
});

import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { RunningHash } from "../../src/storage/hash-thread.ts";
import { markLent } from "../../src/storage/lent-chunks.ts";
import type { FileRange } from "../../src/storage/start-writeback.ts";
import { writeBody } from "../../src/storage/write-body.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

const folder = makeTempFolder();
afterAll(() => removeFolder(folder));

let files = 0;
const MIB = 1024 * 1024;

function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 13 + seed) % 251;
  return bytes;
}

function sha256(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}

/** `bytes` in chunks of the given sizes, in turn; each a view into `bytes`, as not lent. */
async function* chunksOf(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length] as number;
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

/** Writes `body` into a new file holding `before`, after it; returns the path and end. */
async function written(before: Uint8Array, body: AsyncIterable<Uint8Array>, hash: RunningHash) {
  const path = join(folder, `file-${files++}`);
  writeFileSync(path, before);
  const handle = await open(path, "r+");
  try {
    const end = await writeBody(handle, before.length, body, hash, false, () => {});
    return { path, end };
  } finally {
    await handle.close();
  }
}

describe("writeBody", () => {
  const cases: [string, number, number[]][] = [
    ["small chunks gathered into many writes", 3 * MIB + 123, [1000, 65_536, 7]],
    ["chunks of odd sizes", 2 * MIB + 5, [70_000, 3]],
    ["chunks larger than a write", 5 * MIB + 1, [2 * MIB + 3]],
    ["a body that ends on a write's edge", 4 * MIB, [MIB / 4]],
    ["one byte", 1, [1]],
  ];
  for (const [name, length, sizes] of cases) {
    test(`${name}: the file and the hash hold the body, in order, after the offset`, async () => {
      const before = pattern(777, 1);
      const bytes = pattern(length, length % 97);
      const hash = RunningHash.start();
      const { path, end } = await written(before, chunksOf(bytes, sizes), hash);
      expect(end).toBe(before.length + length);
      const onDisk = readFileSync(path);
      expect(sha256(onDisk.subarray(0, before.length))).toBe(sha256(before));
      expect(sha256(onDisk.subarray(before.length))).toBe(sha256(bytes));
      expect(await hash.digest()).toBe(sha256(bytes));
      hash.forget();
    });
  }

  test("a body that was not lent is copied: the caller's bytes stay whole", async () => {
    const bytes = pattern(3 * MIB, 5);
    const hash = RunningHash.start();
    await written(new Uint8Array(0), chunksOf(bytes, [MIB]), hash);
    expect((bytes.buffer as ArrayBuffer).detached).toBe(false);
    expect(sha256(bytes)).toBe(await hash.digest());
    hash.forget();
  });

  test("an empty body writes nothing", async () => {
    const hash = RunningHash.start();
    const body = chunksOf(new Uint8Array(0), [1]);
    const { path, end } = await written(pattern(10, 2), body, hash);
    expect(end).toBe(10);
    expect(statSync(path).size).toBe(10);
    expect(await hash.digest()).toBe(sha256(new Uint8Array(0)));
    hash.forget();
  });

  test("a body that fails has finished every write it started when it throws", async () => {
    const path = join(folder, `file-${files++}`);
    writeFileSync(path, "");
    const handle = await open(path, "r+");
    const hash = RunningHash.start();
    async function* failing() {
      for (let i = 0; i < 6; i++) yield pattern(MIB / 2, i);
      throw new Error("connection reset");
    }
    try {
      await expect(writeBody(handle, 0, failing(), hash, false, () => {})).rejects.toThrow(
        "connection reset",
      );
      // Nothing lands after the throw: the caller may cut the file back at once.
      const sizeAtThrow = statSync(path).size;
      await Bun.sleep(50);
      expect(statSync(path).size).toBe(sizeAtThrow);
    } finally {
      await handle.close();
      hash.forget();
    }
  });

  test("onChunk sees every chunk and may stop the body", async () => {
    const seen: number[] = [];
    const path = join(folder, `file-${files++}`);
    writeFileSync(path, "");
    const handle = await open(path, "r+");
    const hash = RunningHash.start();
    try {
      const stop = writeBody(
        handle,
        0,
        chunksOf(pattern(5000, 3), [1000]),
        hash,
        false,
        (chunk) => {
          seen.push(chunk.length);
          if (seen.length === 3) throw new Error("too long");
        },
      );
      await expect(stop).rejects.toThrow("too long");
      expect(seen).toEqual([1000, 1000, 1000]);
    } finally {
      await handle.close();
      hash.forget();
    }
  });

  // A slow client's body comes in reads of a few hundred bytes, each a buffer of its own
  // costing about 550 bytes more than its bytes. Held until 1 MiB had gathered for the
  // hashing thread, 128 such uploads kept about 2.7 MiB each.
  test("a body of tiny lent chunks keeps few of them at once", async () => {
    const bytes = pattern(4000 * 300, 9);
    const yielded: ArrayBuffer[] = [];
    let mostHeld = 0;
    async function* tiny() {
      for (let at = 0; at < bytes.length; at += 300) {
        // Taken buffers are detached once handed to the hashing thread.
        mostHeld = Math.max(mostHeld, yielded.filter((buffer) => !buffer.detached).length);
        const chunk = bytes.slice(at, at + 300);
        yielded.push(chunk.buffer);
        yield chunk;
      }
    }
    const path = join(folder, `file-${files++}`);
    writeFileSync(path, "");
    const handle = await open(path, "r+");
    const hash = RunningHash.start();
    try {
      expect(await writeBody(handle, 0, markLent(tiny()), hash, true, () => {})).toBe(bytes.length);
      expect(sha256(readFileSync(path))).toBe(sha256(bytes));
      expect(await hash.digest()).toBe(sha256(bytes));
      expect(mostHeld).toBeLessThanOrEqual(512);
    } finally {
      await handle.close();
      hash.forget();
    }
  });

  test("the written bytes are handed over for writeback in ranges of 8 MiB, in order", async () => {
    const before = pattern(777, 3);
    const bytes = pattern(20 * MIB + 5, 4);
    const hash = RunningHash.start();
    const ranges: FileRange[] = [];
    const take = hash.take.bind(hash);
    hash.take = (buffers, writeback) => {
      if (writeback) ranges.push(writeback);
      return take(buffers, writeback);
    };
    const path = join(folder, `file-${files++}`);
    writeFileSync(path, before);
    const handle = await open(path, "r+");
    try {
      await writeBody(handle, before.length, chunksOf(bytes, [MIB / 4]), hash, false, () => {});
      // Ranges end where hash batches do, at or just past each 8 MiB: two fit in the body,
      // and what is left is the caller's fsync's to write.
      expect(ranges.length).toBe(2);
      let next = before.length;
      for (const range of ranges) {
        expect(range.fd).toBe(handle.fd);
        expect(range.offset).toBe(next);
        expect(range.length).toBeGreaterThanOrEqual(8 * MIB);
        next = range.offset + range.length;
      }
      expect(next).toBeLessThanOrEqual(before.length + bytes.length);
      expect(await hash.digest()).toBe(sha256(bytes));
    } finally {
      await handle.close();
      hash.forget();
    }
  });
});

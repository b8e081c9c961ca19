import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { RunningHash } from "../../src/storage/hash-thread.ts";
import { SLOT_BYTES } from "../../src/storage/shared-slots.ts";
import { writeStream } from "../../src/storage/write-stream.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

const folder = makeTempFolder();
afterAll(() => removeFolder(folder));

let files = 0;

function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 13 + seed) % 251;
  return bytes;
}

function sha256(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}

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
    const end = await writeStream(handle, before.length, body, hash, () => {});
    return { path, end };
  } finally {
    await handle.close();
  }
}

describe("writeStream", () => {
  const cases: [string, number, number[]][] = [
    ["small chunks across many slots", 3 * SLOT_BYTES + 123, [1000, 65_536, 7]],
    ["chunks larger than a slot", 5 * SLOT_BYTES + 1, [SLOT_BYTES * 2 + 3]],
    ["a body that ends on a slot's edge", 4 * SLOT_BYTES, [SLOT_BYTES / 4]],
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

  test("an empty body writes nothing", async () => {
    const hash = RunningHash.start();
    const { path, end } = await written(pattern(10, 2), chunksOf(new Uint8Array(0), [1]), hash);
    expect(end).toBe(10);
    expect(statSync(path).size).toBe(10);
    expect(await hash.digest()).toBe(sha256(new Uint8Array(0)));
    hash.forget();
  });

  test("a stream that fails has finished every write it started when it throws", async () => {
    const path = join(folder, `file-${files++}`);
    writeFileSync(path, "");
    const handle = await open(path, "r+");
    const hash = RunningHash.start();
    async function* failing() {
      for (let i = 0; i < 6; i++) yield pattern(SLOT_BYTES / 2, i);
      throw new Error("connection reset");
    }
    try {
      await expect(writeStream(handle, 0, failing(), hash, () => {})).rejects.toThrow(
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

  test("onChunk sees every chunk and may stop the stream", async () => {
    const seen: number[] = [];
    const path = join(folder, `file-${files++}`);
    writeFileSync(path, "");
    const handle = await open(path, "r+");
    const hash = RunningHash.start();
    try {
      const stop = writeStream(handle, 0, chunksOf(pattern(5000, 3), [1000]), hash, (chunk) => {
        seen.push(chunk.length);
        if (seen.length === 3) throw new Error("too long");
      });
      await expect(stop).rejects.toThrow("too long");
      expect(seen).toEqual([1000, 1000, 1000]);
    } finally {
      await handle.close();
      hash.forget();
    }
  });
});

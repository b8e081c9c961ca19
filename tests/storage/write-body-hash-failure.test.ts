import { describe, expect, test } from "bun:test";
import type { FileHandle } from "node:fs/promises";
import { RunningHash } from "../../src/storage/hash-thread.ts";
import { markLent } from "../../src/storage/lent-chunks.ts";
import { writeBody } from "../../src/storage/write-body.ts";

/** How long each write of the slow file below takes: far longer than a hashing thread's reply. */
const WRITE_MS = 100;

/**
 * A file whose writes take {@link WRITE_MS}, as on a busy disk, and that reads the caller's
 * bytes only when the write completes, as pwrite(2) on the thread pool may. It records
 * whether any write was still running, and copies what it wrote.
 */
function slowFile() {
  let running = 0;
  const landed: Uint8Array[] = [];
  const land = async (views: Uint8Array[]) => {
    running++;
    await Bun.sleep(WRITE_MS);
    // A buffer sent to the hashing thread before this point would be detached: no bytes.
    for (const view of views) landed.push(view.slice());
    running--;
    return views.reduce((sum, view) => sum + view.length, 0);
  };
  const handle = {
    async write(buffer: Uint8Array, offset: number, length: number) {
      const bytesWritten = await land([buffer.subarray(offset, offset + length)]);
      return { bytesWritten, buffer };
    },
    async writev(buffers: Uint8Array[]) {
      return { bytesWritten: await land(buffers), buffers };
    },
  } as unknown as FileHandle;
  return { handle, landed, writesRunning: () => running };
}

/** A lent body of `count` chunks of 256 KiB, each in a buffer of its own filled with `fill`. */
function lentChunks(fill: number, count: number) {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < count; i++) yield new Uint8Array(256 * 1024).fill(fill);
  }
  return markLent(chunks());
}

describe("writeBody and the hashing thread", () => {
  test("a buffer reaches the thread only once its write has read it", async () => {
    const file = slowFile();
    const hash = RunningHash.start();
    const end = await writeBody(file.handle, 0, lentChunks(7, 12), hash, true, () => {});
    expect(end).toBe(12 * 256 * 1024);
    const landedBytes = file.landed.reduce((sum, bytes) => sum + bytes.length, 0);
    expect(landedBytes).toBe(end);
    expect(file.landed.every((bytes) => bytes.every((byte) => byte === 7))).toBe(true);
    const expected = new Bun.CryptoHasher("sha256")
      .update(new Uint8Array(end).fill(7))
      .digest("hex");
    expect(await hash.digest()).toBe(expected);
    hash.forget();
  });

  // A lost hashing thread rejects every request it had not answered (hash-thread.ts #lose);
  // a state the thread no longer holds fails the same way, and is used here to make the
  // thread answer with a failure while later writes are still running.
  test("when the thread fails, every write started has finished by the throw", async () => {
    const file = slowFile();
    const hash = RunningHash.start();
    hash.forget();

    await expect(
      writeBody(file.handle, 0, lentChunks(1, 12), hash, true, () => {}),
    ).rejects.toThrow(/no running hash/);
    // write-body.ts promises this, so that the caller may cut the file back at once; the
    // store truncates the upload right after the throw, and a write landing later would
    // leave bytes past the recorded size.
    expect(file.writesRunning()).toBe(0);
  });
});

import { describe, expect, test } from "bun:test";
import type { FileHandle } from "node:fs/promises";
import { RunningHash } from "../../src/storage/hash-thread.ts";
import { SLOT_BYTES, takeSlot } from "../../src/storage/shared-slots.ts";
import { writeStream } from "../../src/storage/write-stream.ts";

/** More than the pool keeps idle (shared-slots.ts), so taking this many empties it. */
const IDLE_SLOTS_AT_MOST = 16;

/** How long each write of the slow file below takes: far longer than a hashing thread's reply. */
const WRITE_MS = 200;

/**
 * A file whose writes take {@link WRITE_MS}, as on a busy disk, and that reads the caller's
 * bytes only when the write completes, as pwrite(2) on the thread pool may. It records
 * whether any write was still running, and copies what it wrote.
 */
function slowFile() {
  let running = 0;
  const landed: Uint8Array[] = [];
  const handle = {
    async write(buffer: Uint8Array, offset: number, length: number) {
      running++;
      await Bun.sleep(WRITE_MS);
      landed.push(buffer.slice(offset, offset + length));
      running--;
      return { bytesWritten: length, buffer };
    },
  } as unknown as FileHandle;
  return { handle, landed, writesRunning: () => running };
}

async function* slotsOf(fill: number, count: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) yield new Uint8Array(SLOT_BYTES).fill(fill);
}

describe("writeStream when the hashing thread fails an update", () => {
  // A lost hashing thread rejects every update it had not answered (hash-thread.ts #lose);
  // a state the thread no longer holds fails its updates the same way, and is used here to
  // make the thread answer with a failure before the write of the same slot is done.
  test("every write it started has finished when it throws", async () => {
    const file = slowFile();
    const hash = RunningHash.start();
    hash.forget();

    await expect(writeStream(file.handle, 0, slotsOf(1, 3), hash, () => {})).rejects.toThrow(
      /no running hash/,
    );
    // write-stream.ts promises this, so that the caller may cut the file back at once; the
    // store truncates the upload right after the throw, and a write landing later would
    // leave bytes past the recorded size.
    expect(file.writesRunning()).toBe(0);
  });

  test("no slot goes back to the pool while a write still reads it", async () => {
    const file = slowFile();
    const hash = RunningHash.start();
    hash.forget();

    await expect(writeStream(file.handle, 0, slotsOf(1, 1), hash, () => {})).rejects.toThrow();
    // The next uploads take the pool's idle slots and fill them with their own bytes at once.
    for (let i = 0; i < IDLE_SLOTS_AT_MOST; i++) takeSlot().bytes.fill(2);
    await Bun.sleep(WRITE_MS * 2);
    // The failed stream's file must get its own bytes (all 1s), never the next upload's.
    expect(file.landed.every((bytes) => bytes.every((byte) => byte === 1))).toBe(true);
  });
});

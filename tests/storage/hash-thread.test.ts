import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RunningHash, stopHashThreads } from "../../src/storage/hash-thread.ts";
import { giveBack, SLOT_BYTES, type Slot, takeSlot } from "../../src/storage/shared-slots.ts";
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

/** Copies `bytes` into a slot, as write-stream does, and returns it. */
function slotHolding(bytes: Uint8Array): Slot {
  const slot = takeSlot();
  slot.bytes.set(bytes);
  return slot;
}

describe("RunningHash", () => {
  test("an empty state digests as the empty input", async () => {
    const hash = RunningHash.start();
    expect(await hash.digest()).toBe(sha256());
    hash.forget();
  });

  test("updates in order give the digest of the bytes in that order", async () => {
    const parts = [pattern(1000, 1), pattern(SLOT_BYTES, 2), pattern(17, 3)];
    const hash = RunningHash.start();
    for (const part of parts) {
      const slot = slotHolding(part);
      await hash.update(slot, part.length);
      giveBack(slot);
    }
    expect(await hash.digest()).toBe(sha256(...parts));
    hash.forget();
  });

  test("updates sent without waiting are applied in the order sent", async () => {
    const parts = Array.from({ length: 6 }, (_, i) => pattern(4096 + i, i));
    const slots = parts.map(slotHolding);
    const hash = RunningHash.start();
    await Promise.all(parts.map((part, i) => hash.update(slots[i] as Slot, part.length)));
    expect(await hash.digest()).toBe(sha256(...parts));
    for (const slot of slots) giveBack(slot);
    hash.forget();
  });

  test("a digest leaves the state going on", async () => {
    const first = pattern(300, 4);
    const second = pattern(500, 5);
    const hash = RunningHash.start();
    const slot = slotHolding(first);
    await hash.update(slot, first.length);
    expect(await hash.digest()).toBe(sha256(first));
    slot.bytes.set(second);
    await hash.update(slot, second.length);
    expect(await hash.digest()).toBe(sha256(first, second));
    giveBack(slot);
    hash.forget();
  });

  test("two states kept at once do not mix", async () => {
    const a = RunningHash.start();
    const b = RunningHash.start();
    const bytesA = pattern(2048, 6);
    const bytesB = pattern(2048, 7);
    const slotA = slotHolding(bytesA);
    const slotB = slotHolding(bytesB);
    await Promise.all([a.update(slotA, bytesA.length), b.update(slotB, bytesB.length)]);
    expect(await a.digest()).toBe(sha256(bytesA));
    expect(await b.digest()).toBe(sha256(bytesB));
    giveBack(slotA);
    giveBack(slotB);
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
    const slot = slotHolding(more);
    await hash.update(slot, more.length);
    expect(await hash.digest()).toBe(sha256(prefix, more));
    giveBack(slot);
    hash.forget();
  });

  test("resume of a file that is missing fails", async () => {
    await expect(RunningHash.resume(join(folder, "missing"), 10)).rejects.toThrow();
  });

  test("a forgotten state refuses updates", async () => {
    const hash = RunningHash.start();
    hash.forget();
    await expect(hash.digest()).rejects.toThrow(/no running hash/);
  });

  test("slots dropped from the idle pool are replaced by new ones the thread learns", async () => {
    // More slots than the pool keeps idle: giving them all back drops some, and the thread
    // lets go of those; new slots then get new ids and are sent again.
    const held = Array.from({ length: 20 }, () => takeSlot());
    const hash = RunningHash.start();
    const parts: Uint8Array[] = [];
    for (const [i, slot] of held.entries()) {
      const part = pattern(100 + i, i);
      slot.bytes.set(part);
      parts.push(part);
      await hash.update(slot, part.length);
    }
    for (const slot of held) giveBack(slot);
    const again = Array.from({ length: 20 }, () => takeSlot());
    for (const [i, slot] of again.entries()) {
      const part = pattern(200 + i, i + 50);
      slot.bytes.set(part);
      parts.push(part);
      await hash.update(slot, part.length);
    }
    for (const slot of again) giveBack(slot);
    expect(await hash.digest()).toBe(sha256(...parts));
    hash.forget();
  });
});

describe("a hashing thread that ends", () => {
  test("fails the answers it owed and marks its states lost", async () => {
    const hash = RunningHash.start();
    const bytes = pattern(SLOT_BYTES, 11);
    const slot = slotHolding(bytes);
    await hash.update(slot, bytes.length);
    expect(hash.lost).toBe(false);

    const owed = hash.digest();
    stopHashThreads();
    await expect(owed).rejects.toThrow(/stopped/);
    expect(hash.lost).toBe(true);

    // The next state starts a new thread, which knows no slot yet: the slot is sent again.
    const fresh = RunningHash.start();
    await fresh.update(slot, bytes.length);
    expect(await fresh.digest()).toBe(sha256(bytes));
    giveBack(slot);
    fresh.forget();
  });
});

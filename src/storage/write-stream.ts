import type { FileHandle } from "node:fs/promises";
import type { RunningHash } from "./hash-thread.ts";
import { giveBack, SLOT_BYTES, type Slot, takeSlot } from "./shared-slots.ts";

/** Slots of one stream being written and hashed while the next one fills. */
const SLOTS_IN_FLIGHT = 2;

type SentSlot = { slot: Slot; done: Promise<void> };

/**
 * Writes every chunk of `body` to `handle` starting at `offset` and adds it to `hash`,
 * calling `onChunk` with each chunk first (it may throw to stop the stream). Request bodies
 * arrive in chunks of tens of KiB; they are gathered into 1 MiB slots, and each full slot is
 * written (on the file system's thread pool) and hashed (on a hashing thread) at once while
 * the next slot fills from the request. A chunk is copied whole before the next is asked
 * for and never kept, so a lent body (`lentBodyChunks`) may free it then. Returns the offset
 * after the last byte.
 *
 * When it throws, every write it started has finished, so the caller may cut the file
 * back; the hash then holds an unknown part of the bytes and must be dropped.
 */
export async function writeStream(
  handle: FileHandle,
  offset: number,
  body: AsyncIterable<Uint8Array>,
  hash: RunningHash,
  onChunk: (chunk: Uint8Array) => void,
): Promise<number> {
  const inFlight: SentSlot[] = [];
  let slot = takeSlot();
  let filled = 0;
  let position = offset;

  const send = () => {
    const written = writeAll(handle, slot.bytes.subarray(0, filled), position);
    // Settles only once both have: a failed hash must not hand the slot back, or let the
    // caller cut the file, while the write still reads the slot.
    const done = Promise.allSettled([written, hash.update(slot, filled)]).then((results) => {
      for (const result of results) if (result.status === "rejected") throw result.reason;
    });
    // Awaited in order below; this keeps a failure not awaited yet from counting as unhandled.
    done.catch(() => {});
    inFlight.push({ slot, done });
    position += filled;
    filled = 0;
  };
  const nextSlot = async () => {
    if (inFlight.length < SLOTS_IN_FLIGHT) return takeSlot();
    const oldest = inFlight[0] as SentSlot;
    await oldest.done;
    inFlight.shift();
    return oldest.slot;
  };

  try {
    for await (const chunk of body) {
      onChunk(chunk);
      let used = 0;
      while (used < chunk.length) {
        const count = Math.min(chunk.length - used, SLOT_BYTES - filled);
        slot.bytes.set(chunk.subarray(used, used + count), filled);
        filled += count;
        used += count;
        if (filled === SLOT_BYTES) {
          send();
          slot = await nextSlot();
        }
      }
    }
    if (filled > 0) send();
    for (const { done } of inFlight) await done;
    return position;
  } finally {
    // On failure too, no slot goes back while a write or a hash may still read it.
    await Promise.allSettled(inFlight.map(({ done }) => done));
    for (const sent of inFlight) giveBack(sent.slot);
    if (!inFlight.some((sent) => sent.slot === slot)) giveBack(slot);
  }
}

/** Writes all of `bytes` at `position`, however many calls the system takes. */
export async function writeAll(
  handle: FileHandle,
  bytes: Uint8Array,
  position: number,
): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const result = await handle.write(bytes, written, bytes.length - written, position + written);
    written += result.bytesWritten;
  }
}

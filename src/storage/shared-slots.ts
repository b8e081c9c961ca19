/**
 * Buffers in shared memory that a request's bytes are gathered into before they are written
 * and hashed (write-stream.ts). A hashing thread reads a slot where it is; sending a
 * SharedArrayBuffer to a thread costs tens of microseconds, so a thread is sent each slot
 * once and later told only its id (hash-thread.ts), and told again when the slot is dropped.
 */
export interface Slot {
  readonly id: number;
  readonly bytes: Uint8Array;
}

export const SLOT_BYTES = 1024 * 1024;
/** Slots kept for the next request; more are dropped, leaving at most 8 MiB idle. */
const IDLE_SLOTS_KEPT = 8;

const idle: Slot[] = [];
const dropListeners: ((slot: Slot) => void)[] = [];
let nextId = 1;

export function takeSlot(): Slot {
  return idle.pop() ?? { id: nextId++, bytes: new Uint8Array(new SharedArrayBuffer(SLOT_BYTES)) };
}

/** Returns a slot nobody reads or writes any more. */
export function giveBack(slot: Slot): void {
  if (idle.length < IDLE_SLOTS_KEPT) {
    idle.push(slot);
    return;
  }
  for (const listener of dropListeners) listener(slot);
}

/** Calls `listener` with every slot dropped from now on, so its holder may let go of it. */
export function onSlotDropped(listener: (slot: Slot) => void): void {
  dropListeners.push(listener);
}

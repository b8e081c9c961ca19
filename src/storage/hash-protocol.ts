/**
 * The messages between the main thread and a hashing thread (hash-thread.ts, hash-worker.ts).
 * Each running hash lives in one thread under a key; a thread handles its messages in order,
 * so an update sent after another is applied after it without waiting for a reply.
 */
export type HashRequest =
  /** A new, empty sha256 state under `key`. No reply. */
  | { kind: "start"; key: number }
  /** A sha256 state of the first `length` bytes of the file at `path`. */
  | { kind: "resume"; key: number; path: string; length: number; ticket: number }
  /**
   * Adds the first `length` bytes of slot `slot` to the state; the sender leaves those bytes
   * alone until the reply. `buffer` comes with the first update that uses a slot.
   */
  | {
      kind: "update";
      key: number;
      slot: number;
      buffer?: SharedArrayBuffer;
      length: number;
      ticket: number;
    }
  /** The slot is no longer used; the thread lets go of its memory. No reply. */
  | { kind: "drop-slot"; slot: number }
  /** The hex digest of the bytes so far; the state goes on and may take more. */
  | { kind: "digest"; key: number; ticket: number }
  /** Drops the state. No reply. */
  | { kind: "forget"; key: number };

/** The answer to a request with a ticket: a digest for "digest", or why it failed. */
export type HashReply = { ticket: number; hex?: string; error?: string };

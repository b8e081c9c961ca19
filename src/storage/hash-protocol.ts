import type { FileRange } from "./start-writeback.ts";

/**
 * The messages between the main thread and a hashing thread (hash-thread.ts, hash-worker.ts).
 * Each running hash lives in one thread under a key; a thread handles its messages in order,
 * so buffers sent after others are hashed after them without waiting for a reply.
 */
export type HashRequest =
  /** A new, empty sha256 state under `key`. No reply. */
  | { kind: "start"; key: number }
  /** A sha256 state of the first `length` bytes of the file at `path`. */
  | { kind: "resume"; key: number; path: string; length: number; ticket: number }
  /**
   * Adds all of each buffer in `buffers`, in order. The sender gave them up: they came with
   * the message as transferables, and the thread frees them once hashed. Then, if there is
   * a `writeback` range (bytes already written to the upload's file), the thread asks the
   * kernel to start writing it to disk.
   */
  | {
      kind: "take";
      key: number;
      buffers: ArrayBuffer[];
      writeback: FileRange | undefined;
      ticket: number;
    }
  /** The hex digest of the bytes so far; the state goes on and may take more. */
  | { kind: "digest"; key: number; ticket: number }
  /** Drops the state. No reply. */
  | { kind: "forget"; key: number };

/** The answer to a request with a ticket: a digest for "digest", or why it failed. */
export type HashReply = { ticket: number; hex?: string; error?: string };

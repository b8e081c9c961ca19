import { availableParallelism } from "node:os";
import type { HashReply, HashRequest } from "./hash-protocol.ts";
import type { FileRange } from "./start-writeback.ts";

/**
 * The main thread's side of the hashing threads: each upload's running sha256 lives in one
 * of a few Workers (hash-worker.ts), which hash the buffers the upload wrote, handed over
 * whole, while the main thread goes on reading requests. With one core left for them, a
 * busy registry hashes on both cores at once instead of queueing every upload's hashing
 * behind its request handling.
 *
 * The workers start on first use and do not keep the process alive. If one dies, the
 * states it held are lost: `RunningHash.lost` says so, and the owner rebuilds the state from
 * the file.
 */
/** The requests a thread answers: those with a ticket. */
type AnsweredRequest = Extract<HashRequest, { ticket: number }>;
/** `T` without its ticket, for each member of a union on its own. */
type Unticketed<T> = T extends unknown ? Omit<T, "ticket"> : never;

class HashThread {
  #worker: Worker | null = null;
  #nextTicket = 1;
  readonly #pending = new Map<
    number,
    { resolve(reply: HashReply): void; reject(e: Error): void }
  >();
  /** Counts the workers this thread has lost; a state made under an older one is gone. */
  generation = 0;

  /** Sends `request`, moving the buffers in `transfer` to the thread. */
  send(request: HashRequest, transfer: ArrayBuffer[] = []): void {
    this.#started().postMessage(request, transfer);
  }

  /** Sends a request that is answered, under a ticket of its own, and waits for the answer. */
  ask(request: Unticketed<AnsweredRequest>, transfer: ArrayBuffer[] = []): Promise<HashReply> {
    const ticket = this.#nextTicket++;
    return new Promise((resolve, reject) => {
      this.#pending.set(ticket, { resolve, reject });
      this.send({ ...request, ticket } as AnsweredRequest, transfer);
    });
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(hashWorkerEntry(), { smol: true });
    worker.unref();
    worker.onmessage = (event: MessageEvent<HashReply>) => {
      const waiting = this.#pending.get(event.data.ticket);
      this.#pending.delete(event.data.ticket);
      if (!waiting) return;
      if (event.data.error !== undefined) waiting.reject(new Error(event.data.error));
      else waiting.resolve(event.data);
    };
    worker.onerror = (event) => {
      this.#lose(worker, new Error(`a hashing thread failed: ${event.message}`));
    };
    // A worker never ends on its own: one that closed took its states and answers with it.
    worker.addEventListener("close", () => {
      this.#lose(worker, new Error("a hashing thread ended"));
    });
    this.#worker = worker;
    return worker;
  }

  /** Ends the worker as if it had died: its states are lost and its answers fail. */
  stop(): void {
    if (this.#worker) this.#lose(this.#worker, new Error("the hashing threads were stopped"));
  }

  #lose(worker: Worker, error: Error): void {
    // Terminating a failed worker closes it too: the second call finds it already replaced.
    if (this.#worker !== worker) return;
    worker.terminate();
    this.#worker = null;
    this.generation++;
    for (const waiting of this.#pending.values()) waiting.reject(error);
    this.#pending.clear();
  }
}

/**
 * Where the worker's code is. From source, beside this file. In the compiled executable every
 * module is bundled into one file at the root of its embedded file system, and the worker,
 * an entry point of its own (scripts/build.ts, `--root=src`), keeps its path below src/.
 */
function hashWorkerEntry(): string {
  const compiled = import.meta.url.includes("/$bunfs/");
  return compiled ? "./storage/hash-worker.ts" : new URL("./hash-worker.ts", import.meta.url).href;
}

/** One thread fewer than the cores, so request handling keeps one; at least one, at most 4. */
const THREAD_COUNT = Math.max(1, Math.min(4, availableParallelism() - 1));
const threads: HashThread[] = [];
let nextThread = 0;
let nextKey = 1;

/**
 * Ends every hashing thread; the next hash starts them again. Each upload's running hash is
 * then lost and rebuilt from its file, as after a thread's crash, which is what tests use
 * this for.
 */
export function stopHashThreads(): void {
  for (const thread of threads) thread.stop();
}

function pickThread(): HashThread {
  if (threads.length < THREAD_COUNT) threads.push(new HashThread());
  const thread = threads[nextThread % threads.length] as HashThread;
  nextThread++;
  return thread;
}

/**
 * A sha256 state kept by a hashing thread. Buffers are hashed in the order they are sent;
 * each `take`'s promise settles when the thread has hashed them.
 */
export class RunningHash {
  readonly #thread: HashThread;
  readonly #key: number;
  readonly #generation: number;

  private constructor(thread: HashThread) {
    this.#thread = thread;
    this.#key = nextKey++;
    this.#generation = thread.generation;
  }

  /** An empty state. */
  static start(): RunningHash {
    const hash = new RunningHash(pickThread());
    hash.#thread.send({ kind: "start", key: hash.#key });
    return hash;
  }

  /** A state holding the first `length` bytes of the file at `path`, read by the thread. */
  static async resume(path: string, length: number): Promise<RunningHash> {
    const hash = new RunningHash(pickThread());
    await hash.#thread.ask({ kind: "resume", key: hash.#key, path, length });
    return hash;
  }

  /** True when the thread holding this state died; the state must be rebuilt. */
  get lost(): boolean {
    return this.#generation !== this.#thread.generation;
  }

  /**
   * Adds all of each of `buffers`, in order, handing them to the thread: they are detached
   * here at once, and the thread frees them once hashed. With `writeback`, a range already
   * written, the thread then starts the disk writing it; the file must stay open until this
   * settles. Settles when the thread has done both. (A lost thread's requests settle before
   * it has stopped, so a dying thread may still start writeback on a descriptor closed and
   * reused meanwhile: that only hurries another file's dirty pages to disk.)
   */
  async take(buffers: ArrayBuffer[], writeback?: FileRange): Promise<void> {
    await this.#thread.ask({ kind: "take", key: this.#key, buffers, writeback }, buffers);
  }

  /** The hex digest of everything added so far; the state stays and may take more. */
  async digest(): Promise<string> {
    const reply = await this.#thread.ask({ kind: "digest", key: this.#key });
    return reply.hex ?? "";
  }

  /** Frees the state in its thread. */
  forget(): void {
    if (!this.lost) this.#thread.send({ kind: "forget", key: this.#key });
  }
}

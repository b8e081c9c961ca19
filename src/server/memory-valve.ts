/**
 * Runs the garbage collector when request bodies have raised resident memory. Bun hands a
 * body over in chunks of tens of KiB, each a buffer of its own outside the JavaScript heap,
 * and the collector's heuristics do not count them: a trivial Bun server receiving one 1 GiB
 * body grows by about 40 MiB, and by 70 MiB over 64 bodies of 16 MiB, all of it garbage; a
 * 1 GiB push lifted MCR past 110 MiB and a chunked one past 160 MiB.
 *
 * The valve collects once resident memory is over `floorBytes` and has risen `headroomBytes`
 * (for each body in flight, up to four) above where the last collection left it, at most
 * once per `minIntervalMs`, so memory that stays (a cache, many connections) raises the
 * level instead of making it collect over and over. Under the floor the collector keeps its
 * own pace. Only `Bun.gc(true)` gives the memory back: an eden collection or JavaScriptCore's
 * own full collection without Bun's sweep left the peaks where they were. It costs 7 to 11 ms
 * a time here, about a fifth of a fast single push's speed: the price of a bounded peak. Operators
 * choose the trade with `server.memory_floor` and `server.memory_headroom`; a headroom of 0
 * turns the valve off.
 */
export class MemoryValve {
  readonly #headroomBytes: number;
  readonly #floorBytes: number;
  readonly #minIntervalMs: number;
  readonly #checkEveryBytes: number;
  readonly #residentBytes: () => number;
  readonly #collect: () => void;
  readonly #now: () => number;
  #sinceCheck = 0;
  #lastCollection = Number.NEGATIVE_INFINITY;
  /** Resident memory where the last collection left it. */
  #level: number;
  #bodiesOpen = 0;

  constructor(options: MemoryValveOptions = {}) {
    this.#headroomBytes = options.headroomBytes ?? 16 * 1024 * 1024;
    this.#floorBytes = options.floorBytes ?? 80 * 1024 * 1024;
    this.#minIntervalMs = options.minIntervalMs ?? 50;
    this.#checkEveryBytes = options.checkEveryBytes ?? 2 * 1024 * 1024;
    this.#residentBytes = options.residentBytes ?? (() => process.memoryUsage.rss());
    this.#collect = options.collect ?? (() => Bun.gc(true));
    this.#now = options.now ?? (() => performance.now());
    this.#level = this.#residentBytes();
  }

  /** A body that passes the valve started; each one open widens the headroom (see below). */
  bodyOpened(): void {
    this.#bodiesOpen++;
  }

  bodyClosed(): void {
    this.#bodiesOpen = Math.max(0, this.#bodiesOpen - 1);
  }

  /** Notes that `bytes` of a request body were read; may collect before it returns. */
  bodyBytesRead(bytes: number): void {
    if (this.#headroomBytes === 0) return;
    this.#sinceCheck += bytes;
    if (this.#sinceCheck < this.#checkEveryBytes) return;
    this.#sinceCheck = 0;

    const now = this.#now();
    if (now - this.#lastCollection < this.#minIntervalMs) return;
    if (this.#residentBytes() < this.#limit()) return;
    this.#lastCollection = now;
    this.#collect();
    this.#level = this.#residentBytes();
  }

  /**
   * Each body in flight may leave a headroom of garbage between collections, up to
   * {@link MOST_BODIES_WIDENING} of them. Each collection costs the main thread its walk of
   * the heap and the kernel the pages given back and taken again: 32 concurrent pushes spent
   * a fifth more time with one headroom for all than with four (and 379 MiB at peak with no
   * valve at all). One push keeps the one headroom that holds it under 100 MB.
   */
  #limit(): number {
    const widening = Math.min(Math.max(this.#bodiesOpen, 1), MOST_BODIES_WIDENING);
    return Math.max(this.#floorBytes, this.#level + this.#headroomBytes * widening);
  }
}

/** How many bodies in flight widen the headroom at most. */
const MOST_BODIES_WIDENING = 4;

/** Settings of a {@link MemoryValve}; the functions are there for tests. */
export interface MemoryValveOptions {
  /**
   * How far resident memory may rise above the last collection's level (default 16 MiB); 0
   * never collects.
   */
  headroomBytes?: number;
  /**
   * Resident memory below which the valve never collects (default 80 MiB: an idle server
   * holds about 47, and fewer, larger rounds of garbage cost fewer collections; at 88 a
   * push in 16 MiB PATCHes peaked at 94-98 MiB, just under and over 100 MB, and at 80 at 93).
   */
  floorBytes?: number;
  /** The least time between two collections (default 50 ms). */
  minIntervalMs?: number;
  /** Body bytes between two looks at resident memory (default 2 MiB; a look costs ~9 us). */
  checkEveryBytes?: number;
  residentBytes?: () => number;
  collect?: () => void;
  now?: () => number;
}

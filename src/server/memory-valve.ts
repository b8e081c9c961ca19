/**
 * Runs the garbage collector when request bodies have raised resident memory. Bun hands a
 * body over in chunks, each a buffer of its own outside the JavaScript heap, and the
 * collector's heuristics do not count them: a trivial Bun server receiving one 1 GiB body
 * grows by about 40 MiB, and by 70 MiB over 64 bodies of 16 MiB, all of it garbage; a 1 GiB
 * push lifted MCR past 110 MiB and a chunked one past 160 MiB. Uploads now free each chunk
 * once it is written and hashed (`lentBodyChunks`), and a single push stays under the floor;
 * a push in 16 MiB PATCHes still passed 100 MiB without the valve, so it stays.
 *
 * The valve collects once resident memory is over `floorBytes` and has risen `headroomBytes`
 * (for each body in flight, up to four) above where the last collection left it, at most
 * once per `minIntervalMs`, so memory that stays (a cache, many connections) raises the
 * level instead of making it collect over and over. Under the floor the collector keeps its
 * own pace. Only `Bun.gc(true)` gives the memory back: an eden collection or JavaScriptCore's
 * own full collection without Bun's sweep left the peaks where they were. Each one walks the
 * whole heap (about 59,000 objects in an idle server, 2.5 ms) and gives pages back to the
 * kernel that the next buffers fault in again: the price of a bounded peak. Operators choose
 * the trade with `server.memory_floor` and `server.memory_headroom`; a headroom of 0 turns
 * the valve off.
 */
export class MemoryValve {
  readonly #headroomBytes: number;
  readonly #floorBytes: number;
  readonly #minIntervalMs: number;
  readonly #checkEveryBytes: number;
  readonly #leastBytesBetweenLooks: number;
  readonly #residentBytes: () => number;
  readonly #collect: () => void;
  readonly #now: () => number;
  /** Resident memory at the last look, and body bytes read since. */
  #seen: number;
  #unseenBytes = 0;
  #lastCollection = Number.NEGATIVE_INFINITY;
  /** Resident memory where the last collection left it. */
  #level: number;
  #bodiesOpen = 0;

  constructor(options: MemoryValveOptions = {}) {
    this.#headroomBytes = options.headroomBytes ?? 16 * 1024 * 1024;
    this.#floorBytes = options.floorBytes ?? 80 * 1024 * 1024;
    this.#minIntervalMs = options.minIntervalMs ?? 50;
    this.#checkEveryBytes = options.checkEveryBytes ?? 16 * 1024 * 1024;
    this.#leastBytesBetweenLooks = options.leastBytesBetweenLooks ?? 2 * 1024 * 1024;
    this.#residentBytes = options.residentBytes ?? (() => process.memoryUsage.rss());
    this.#collect = options.collect ?? (() => Bun.gc(true));
    this.#now = options.now ?? (() => performance.now());
    this.#seen = this.#residentBytes();
    this.#level = this.#seen;
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
    this.#unseenBytes += bytes;
    // Reading RSS is a system call, and on a busy machine each one is a chance to lose the
    // core: profiles of 32 concurrent pushes put 8-13% of the main thread there when it
    // looked every 2 MiB. A body byte adds at most its share of the buffer it arrived in
    // (far less stays: a trivial Bun server receiving 1 GiB grew by 40 MiB), so memory
    // cannot pass the limit before the bytes read since the last look could have filled
    // the gap to it. Memory that hovers just under the limit would then be read after
    // every chunk (with bodies' buffers given back at once it stays there for long: 4% of
    // the main thread under 32 pushes), so the looks stay a few MiB of body apart.
    const nearTheLimit =
      this.#seen + this.#unseenBytes >= this.#limit() &&
      this.#unseenBytes >= this.#leastBytesBetweenLooks;
    if (!nearTheLimit && this.#unseenBytes < this.#checkEveryBytes) return;

    const now = this.#now();
    if (now - this.#lastCollection < this.#minIntervalMs) return;
    this.#look();
    if (this.#seen < this.#limit()) return;
    this.#lastCollection = now;
    this.#collect();
    this.#look();
    this.#level = this.#seen;
  }

  #look(): void {
    this.#seen = this.#residentBytes();
    this.#unseenBytes = 0;
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
  /**
   * The most body bytes between two looks at resident memory (default 16 MiB); it looks
   * sooner when the bytes read could have brought it to the limit.
   */
  checkEveryBytes?: number;
  /**
   * The fewest body bytes between two looks that the limit's nearness asks for (default
   * 2 MiB): memory may pass the limit by that much before the valve sees it.
   */
  leastBytesBetweenLooks?: number;
  residentBytes?: () => number;
  collect?: () => void;
  now?: () => number;
}

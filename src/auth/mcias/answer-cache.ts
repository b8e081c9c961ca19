import type { Identity } from "../identity.ts";

/**
 * Recent answers of the identity service about tokens, so a `docker pull` of fifty layers asks
 * once and not fifty times. Both answers are kept: an identity, and null for a token that is
 * not valid. Keys are token hashes; a token itself is never held here. Identities go in and
 * come out as copies, so a caller that edits one does not edit the cache.
 *
 * The cache holds at most `maxEntries` answers. When full, it drops the oldest answer, so a
 * flood of made-up tokens cannot grow memory without bound; with one lifetime for every answer,
 * the oldest is also the first to expire.
 */
export class TokenAnswerCache {
  readonly #entries = new Map<string, { answer: Identity | null; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached answer for a token hash, or undefined when none is fresh. */
  get(key: string): Identity | null | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return copyOf(entry.answer);
  }

  /** Keeps `answer` for a token hash until `expiresAt` (milliseconds since the epoch). */
  set(key: string, answer: Identity | null, expiresAt: number): void {
    if (this.maxEntries <= 0 || expiresAt <= this.now()) return;

    this.#entries.delete(key);
    if (this.#entries.size >= this.maxEntries) {
      // A Map iterates in insertion order: the first key is the oldest answer.
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { answer: copyOf(answer), expiresAt });
  }

  /** How many answers are held, fresh or not yet swept. */
  get size(): number {
    return this.#entries.size;
  }
}

function copyOf(identity: Identity | null): Identity | null {
  return identity && { ...identity, roles: [...identity.roles] };
}

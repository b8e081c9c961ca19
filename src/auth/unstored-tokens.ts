import type { TokenKind, TokenRecord } from "../db/tokens.ts";

/** Kinds that may live in memory while the database cannot take a row: the short-lived ones. */
export const UNSTORABLE_KINDS: readonly TokenKind[] = ["registry", "session"];

/** At most this many; the oldest go first. A full disk is an emergency, not a way of life. */
const MAX_TOKENS = 10_000;

/**
 * Tokens issued while the data disk was full, kept in memory by their secret's hash.
 *
 * Every pull with docker, podman or skopeo starts at the token endpoint, and an operator
 * freeing space starts with a login: if either needed a database row, a full disk would stop
 * the very reads and the cleanup that should go on. Registry tokens live minutes and
 * sessions hours, so losing these at a restart costs a client one more token request; any
 * change to any account drops them all, since revoking them one by one is what the database
 * rows are for.
 */
export class UnstoredTokens {
  readonly #byHash = new Map<string, TokenRecord>();

  add(secretHash: string, record: TokenRecord): void {
    if (this.#byHash.size >= MAX_TOKENS) this.#forgetExpired(record.createdAt);
    if (this.#byHash.size >= MAX_TOKENS) {
      const oldest = this.#byHash.keys().next().value;
      if (oldest !== undefined) this.#byHash.delete(oldest);
    }
    this.#byHash.set(secretHash, record);
  }

  /** The live token with this hash, if it is one of these. */
  find(secretHash: string, now = Date.now()): TokenRecord | null {
    const record = this.#byHash.get(secretHash);
    if (!record) return null;
    if (record.expiresAt !== null && record.expiresAt <= now) {
      this.#byHash.delete(secretHash);
      return null;
    }
    return record;
  }

  /** Forgets the token with this id; true when it was here. */
  revoke(id: string): boolean {
    for (const [hash, record] of this.#byHash) {
      if (record.id === id) return this.#byHash.delete(hash);
    }
    return false;
  }

  clear(): void {
    this.#byHash.clear();
  }

  get size(): number {
    return this.#byHash.size;
  }

  #forgetExpired(now: number): void {
    for (const [hash, record] of this.#byHash) {
      if (record.expiresAt !== null && record.expiresAt <= now) this.#byHash.delete(hash);
    }
  }
}

import type { Identity } from "./identity.ts";
import { hashSecret } from "./secrets.ts";

/**
 * Remembers recently verified username-and-password pairs so argon2id does not run on every
 * /v2 request of a client that sends Basic credentials each time. Entries are keyed by a
 * hash of the pair, never the password itself, and expire after `ttlMs`.
 */
export class CredentialCache {
  readonly #entries = new Map<string, { identity: Identity; expiresAt: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  get(username: string, password: string, now = Date.now()): Identity | null {
    const key = credentialKey(username, password);
    const entry = this.#entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return null;
    }
    return entry.identity;
  }

  set(username: string, password: string, identity: Identity, now = Date.now()): void {
    if (this.#entries.size >= this.maxEntries) {
      // Drop the oldest entry; Map keeps insertion order.
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(credentialKey(username, password), { identity, expiresAt: now + this.ttlMs });
  }

  /** Forgets everything, after an account or password change. */
  clear(): void {
    this.#entries.clear();
  }
}

/** A username-and-password pair as a map key: a hash, so no map ever holds a password. */
export function credentialKey(username: string, password: string): string {
  return hashSecret(`${username}\u0000${password}`);
}

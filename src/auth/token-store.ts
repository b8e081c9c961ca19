import type { Db } from "../db/schema.ts";
import {
  findLiveToken,
  insertToken,
  revokeToken,
  type TokenKind,
  type TokenRecord,
} from "../db/tokens.ts";
import { isOutOfSpace } from "../storage/out-of-space.ts";
import type { AccountType, Identity } from "./identity.ts";
import { hashSecret, newSecret } from "./secrets.ts";
import { UNSTORABLE_KINDS, UnstoredTokens } from "./unstored-tokens.ts";

/** A token just issued: the secret is shown this once and never stored. */
export interface IssuedToken {
  id: string;
  secret: string;
  expiresAt: number | null;
}

/** What a token proves: whose it is, and for a registry token what it grants. */
export interface VerifiedToken {
  record: TokenRecord;
  identity: Identity;
}

/** Issues and checks bearer tokens, kept only as SHA-256 hashes of their secrets. */
export class TokenStore {
  /** Short-lived tokens issued while the disk was full (unstored-tokens.ts says why). */
  readonly #unstored = new UnstoredTokens();

  constructor(private readonly db: Db) {}

  /** Issues a token for `identity`; `ttlSeconds` null means it lives until revoked. */
  async issue(options: {
    kind: TokenKind;
    identity: Identity;
    ttlSeconds: number | null;
    access?: unknown;
    description?: string;
    now?: number;
  }): Promise<IssuedToken> {
    const now = options.now ?? Date.now();
    const secret = newSecret();
    const id = crypto.randomUUID();
    const expiresAt = options.ttlSeconds === null ? null : now + options.ttlSeconds * 1000;
    const record: TokenRecord = {
      id,
      kind: options.kind,
      subjectId: options.identity.id,
      username: options.identity.username,
      accountType: options.identity.accountType,
      roles: options.identity.roles,
      access: options.access === undefined ? null : JSON.stringify(options.access),
      description: options.description ?? "",
      createdAt: now,
      expiresAt,
      revokedAt: null,
    };
    const secretHash = hashSecret(secret);
    try {
      await insertToken(this.db, { ...record, secretHash });
    } catch (error) {
      if (!isOutOfSpace(error) || !UNSTORABLE_KINDS.includes(options.kind)) throw error;
      this.#unstored.add(secretHash, record);
    }
    return { id, secret, expiresAt };
  }

  /**
   * The live token with this secret, or null. The lookup is by hash, so the time it takes
   * says nothing about the secret.
   */
  async verify(secret: string, kinds: readonly TokenKind[]): Promise<VerifiedToken | null> {
    if (!secret.startsWith("mcr_")) return null;
    const secretHash = hashSecret(secret);
    const record =
      (this.#unstored.size > 0 ? this.#unstored.find(secretHash) : null) ??
      (await findLiveToken(this.db, secretHash));
    if (!record || !kinds.includes(record.kind)) return null;
    return {
      record,
      identity: {
        id: record.subjectId,
        username: record.username,
        accountType: record.accountType as AccountType,
        roles: record.roles,
      },
    };
  }

  /** Revokes a token by id, wherever it is kept; true when it was live. */
  async revoke(id: string): Promise<boolean> {
    return this.#unstored.revoke(id) || (await revokeToken(this.db, id));
  }

  /**
   * Drops the tokens kept in memory after an account change: they have no row to revoke, and
   * their holders only need to ask again.
   */
  forgetUnstored(): void {
    this.#unstored.clear();
  }
}

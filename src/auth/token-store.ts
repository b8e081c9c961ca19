import type { Db } from "../db/schema.ts";
import { findLiveToken, insertToken, type TokenKind, type TokenRecord } from "../db/tokens.ts";
import type { AccountType, Identity } from "./identity.ts";
import { hashSecret, newSecret } from "./secrets.ts";

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
    await insertToken(this.db, {
      id,
      secretHash: hashSecret(secret),
      kind: options.kind,
      subjectId: options.identity.id,
      username: options.identity.username,
      accountType: options.identity.accountType,
      roles: options.identity.roles,
      access: options.access === undefined ? null : JSON.stringify(options.access),
      description: options.description ?? "",
      createdAt: now,
      expiresAt,
    });
    return { id, secret, expiresAt };
  }

  /**
   * The live token with this secret, or null. The lookup is by hash, so the time it takes
   * says nothing about the secret.
   */
  async verify(secret: string, kinds: readonly TokenKind[]): Promise<VerifiedToken | null> {
    if (!secret.startsWith("mcr_")) return null;
    const record = await findLiveToken(this.db, hashSecret(secret));
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
}

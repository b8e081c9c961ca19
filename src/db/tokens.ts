import type { Selectable } from "kysely";
import type { DatabaseSchema, Db } from "./schema.ts";

/** What a token is for. */
export type TokenKind = "registry" | "refresh" | "session" | "api";

/** A stored token; the secret itself is never stored, only its hash. */
export interface TokenRecord {
  id: string;
  kind: TokenKind;
  subjectId: string;
  username: string;
  accountType: string;
  roles: string[];
  /** For registry tokens: the access granted, as JSON the token service wrote. */
  access: string | null;
  description: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export async function insertToken(
  db: Db,
  token: Omit<TokenRecord, "revokedAt"> & { secretHash: string },
) {
  await db
    .insertInto("tokens")
    .values({
      id: token.id,
      secret_hash: token.secretHash,
      kind: token.kind,
      subject_id: token.subjectId,
      username: token.username,
      account_type: token.accountType,
      roles: JSON.stringify(token.roles),
      access: token.access,
      description: token.description,
      created_at: token.createdAt,
      expires_at: token.expiresAt,
      revoked_at: null,
    })
    .execute();
}

/** The token with this secret hash, if it is neither revoked nor expired at `now`. */
export async function findLiveToken(db: Db, secretHash: string, now = Date.now()) {
  const row = await db
    .selectFrom("tokens")
    .selectAll()
    .where("secret_hash", "=", secretHash)
    .where("revoked_at", "is", null)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
    .executeTakeFirst();
  return row ? toRecord(row) : null;
}

/** Tokens of a subject, newest first, without secrets. */
export async function listTokensOf(db: Db, subjectId: string, kinds: TokenKind[]) {
  const rows = await db
    .selectFrom("tokens")
    .selectAll()
    .where("subject_id", "=", subjectId)
    .where("kind", "in", kinds)
    .orderBy("created_at", "desc")
    .execute();
  return rows.map(toRecord);
}

/** Marks a token revoked; true when it was live. */
export async function revokeToken(db: Db, id: string, now = Date.now()): Promise<boolean> {
  const result = await db
    .updateTable("tokens")
    .set({ revoked_at: now })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Revokes every live token of a subject; returns how many. */
export async function revokeTokensOf(db: Db, subjectId: string, now = Date.now()) {
  const result = await db
    .updateTable("tokens")
    .set({ revoked_at: now })
    .where("subject_id", "=", subjectId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes tokens that expired before `before`; returns how many. */
export async function deleteExpiredTokens(db: Db, before: number): Promise<number> {
  const result = await db
    .deleteFrom("tokens")
    .where("expires_at", "is not", null)
    .where("expires_at", "<", before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

function toRecord(row: Selectable<DatabaseSchema["tokens"]>): TokenRecord {
  return {
    id: row.id,
    kind: row.kind,
    subjectId: row.subject_id,
    username: row.username,
    accountType: row.account_type,
    roles: JSON.parse(row.roles) as string[],
    access: row.access,
    description: row.description,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

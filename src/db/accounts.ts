import type { Selectable } from "kysely";
import type { AccountType } from "../auth/identity.ts";
import type { DatabaseSchema, Db } from "./schema.ts";

/** A local account as stored. */
export interface AccountRecord {
  id: string;
  username: string;
  accountType: AccountType;
  roles: string[];
  disabled: boolean;
  passwordHash: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Stores a new account. Throws on a duplicate username (UNIQUE constraint). */
export async function insertAccount(
  db: Db,
  account: Omit<AccountRecord, "createdAt" | "updatedAt">,
  now = Date.now(),
) {
  await db
    .insertInto("accounts")
    .values({
      id: account.id,
      username: account.username,
      account_type: account.accountType,
      roles: JSON.stringify(account.roles),
      disabled: account.disabled ? 1 : 0,
      password_hash: account.passwordHash,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

export async function findAccountByUsername(db: Db, username: string) {
  const row = await db
    .selectFrom("accounts")
    .selectAll()
    .where("username", "=", username)
    .executeTakeFirst();
  return row ? toRecord(row) : null;
}

export async function findAccountById(db: Db, id: string) {
  const row = await db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toRecord(row) : null;
}

export async function countAccounts(db: Db): Promise<number> {
  const row = await db
    .selectFrom("accounts")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Every account, by username. */
export async function listAccounts(db: Db): Promise<AccountRecord[]> {
  return (await db.selectFrom("accounts").selectAll().orderBy("username").execute()).map(toRecord);
}

export async function setAccountDisabled(db: Db, id: string, disabled: boolean, now = Date.now()) {
  await db
    .updateTable("accounts")
    .set({ disabled: disabled ? 1 : 0, updated_at: now })
    .where("id", "=", id)
    .execute();
}

export async function setAccountPasswordHash(db: Db, id: string, hash: string, now = Date.now()) {
  await db
    .updateTable("accounts")
    .set({ password_hash: hash, updated_at: now })
    .where("id", "=", id)
    .execute();
}

function toRecord(row: Selectable<DatabaseSchema["accounts"]>): AccountRecord {
  return {
    id: row.id,
    username: row.username,
    accountType: row.account_type,
    roles: JSON.parse(row.roles) as string[],
    disabled: row.disabled !== 0,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

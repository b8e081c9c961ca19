import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { sql } from "kysely";
import { type MetadataDatabase, openDatabase } from "../../src/db/database.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

let folder: string;
let database: MetadataDatabase;

beforeEach(() => {
  folder = makeTempFolder("mcr-dialect-");
  database = openDatabase({ path: join(folder, "mcr.db"), busyTimeoutMs: 1000 });
});
afterEach(async () => {
  await database.close();
  removeFolder(folder);
});

/** A transaction that outgrows the database; max_page_count stands in for a full disk. */
async function overfill(): Promise<unknown> {
  await sql`CREATE TABLE filler (content BLOB)`.execute(database.db);
  const { rows } = await sql<{ page_count: number }>`PRAGMA page_count`.execute(database.db);
  await sql.raw(`PRAGMA max_page_count = ${rows[0]?.page_count ?? 0}`).execute(database.db);
  return database.db
    .transaction()
    .execute(async (trx) => {
      for (let i = 0; i < 64; i++) {
        await sql`INSERT INTO filler VALUES (zeroblob(8192))`.execute(trx);
      }
    })
    .then(
      () => null,
      (error: unknown) => error,
    );
}

test("a transaction the disk cannot hold fails with SQLITE_FULL, not a failed rollback", async () => {
  const error = (await overfill()) as { code?: string; message?: string } | null;
  expect(error?.code).toBe("SQLITE_FULL");
  expect(error?.message).not.toContain("no transaction is active");

  // The connection is usable afterwards: nothing of the transaction stayed.
  const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM filler`.execute(database.db);
  expect(rows[0]?.n).toBe(0);
});

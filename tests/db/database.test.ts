import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { sql } from "kysely";
import { type MetadataDatabase, openDatabase } from "../../src/db/database.ts";
import { MIGRATIONS } from "../../src/db/migrations.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

let folder: string;
let path: string;
let opened: MetadataDatabase[];

beforeEach(() => {
  folder = makeTempFolder("mcr-database-");
  path = join(folder, "nested", "meta", "mcr.db");
  opened = [];
});
afterEach(async () => {
  for (const database of opened) await database.close();
  removeFolder(folder);
});

function open(busyTimeoutMs = 5000): MetadataDatabase {
  const database = openDatabase({ path, busyTimeoutMs });
  opened.push(database);
  return database;
}

async function pragma(database: MetadataDatabase, name: string): Promise<unknown> {
  const { rows } = await sql.raw(`PRAGMA ${name}`).execute(database.db);
  return Object.values(rows[0] as Record<string, unknown>)[0];
}

describe("openDatabase", () => {
  test("creates the file and its missing folders", () => {
    open();
    expect(existsSync(path)).toBe(true);
  });

  test("journals with WAL", async () => {
    expect(await pragma(open(), "journal_mode")).toBe("wal");
  });

  test("syncs every commit (synchronous = FULL)", async () => {
    expect(await pragma(open(), "synchronous")).toBe(2);
  });

  test("enforces foreign keys", async () => {
    const database = open();
    expect(await pragma(database, "foreign_keys")).toBe(1);
    const orphan = sql`INSERT INTO repository_blobs (repository_id, digest, created_at)
      VALUES (999, 'sha256:none', 0)`;
    await expect(orphan.execute(database.db)).rejects.toThrow(/FOREIGN KEY/);
  });

  test("waits the configured time for a lock, in whole milliseconds", async () => {
    expect(await pragma(open(1234.9), "busy_timeout")).toBe(1234);
  });

  test("applies the migrations on first open and none on the next", async () => {
    const first = open();
    expect(first.migrated).toEqual(MIGRATIONS.map((migration) => migration.name));
    await first.close();
    opened = [];
    expect(open().migrated).toEqual([]);
  });

  test("what one handle writes another handle on the file reads", async () => {
    const writer = open();
    await writer.db
      .insertInto("repositories")
      .values({ name: "library/busybox", created_at: 1 })
      .execute();
    const reader = open();
    const rows = await reader.db.selectFrom("repositories").select("name").execute();
    expect(rows).toEqual([{ name: "library/busybox" }]);
  });

  test("close() releases the file even when no query ran", async () => {
    const database = openDatabase({ path, busyTimeoutMs: 5000 });
    expect(existsSync(`${path}-wal`)).toBe(true);
    await database.close();
    // SQLite folds the WAL back and deletes it when the last connection closes.
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});

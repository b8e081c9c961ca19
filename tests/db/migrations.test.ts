import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { applyMigrations } from "../../src/db/migrate.ts";
import { MIGRATIONS } from "../../src/db/migrations.ts";

const FOLDER = join(import.meta.dir, "../../migrations");
const FILES = readdirSync(FOLDER)
  .filter((name) => name.endsWith(".sql"))
  .sort();

describe("MIGRATIONS", () => {
  test("the migrations folder is not empty", () => {
    expect(FILES.length).toBeGreaterThan(0);
  });

  test("lists every file of the migrations folder, in order, and nothing else", () => {
    expect(MIGRATIONS.map((migration) => `${migration.name}.sql`)).toEqual(FILES);
  });

  for (const file of FILES) {
    test(`${file} is embedded with its version and exact text`, () => {
      const migration = MIGRATIONS.find((entry) => `${entry.name}.sql` === file);
      expect(migration?.version).toBe(Number(file.slice(0, 4)));
      expect(migration?.sql).toBe(readFileSync(join(FOLDER, file), "utf8"));
    });
  }

  test("versions count up from 1 without gaps", () => {
    expect(MIGRATIONS.map((migration) => migration.version)).toEqual(
      MIGRATIONS.map((_, index) => index + 1),
    );
  });

  test("they apply cleanly to an empty database and create the tables the code queries", () => {
    const db = new Database(":memory:");
    applyMigrations(db, MIGRATIONS);
    const tables = db
      .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((row) => row.name);
    for (const table of [
      "repositories",
      "blobs",
      "repository_blobs",
      "manifests",
      "manifest_references",
      "tags",
      "uploads",
      "accounts",
      "tokens",
      "policy_rules",
      "audit_log",
    ]) {
      expect(tables).toContain(table);
    }
    db.close();
  });
});

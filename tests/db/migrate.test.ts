import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { applyMigrations } from "../../src/db/migrate.ts";
import { MIGRATIONS, type Migration } from "../../src/db/migrations.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

const FIRST: Migration = {
  version: 1,
  name: "0001_first",
  sql: "CREATE TABLE first (id INTEGER PRIMARY KEY); INSERT INTO first (id) VALUES (7);",
};
const SECOND: Migration = {
  version: 2,
  name: "0002_second",
  sql: "CREATE TABLE second (first_id INTEGER REFERENCES first (id)); INSERT INTO second VALUES (7);",
};

let folder: string;
let db: Database;
beforeEach(() => {
  folder = makeTempFolder("mcr-migrate-");
  db = new Database(join(folder, "test.db"), { create: true });
});
afterEach(() => {
  db.close();
  removeFolder(folder);
});

const recorded = () =>
  db
    .query<{ version: number; name: string; applied_at: number }, []>(
      "SELECT version, name, applied_at FROM schema_migrations ORDER BY version",
    )
    .all();
const tableExists = (name: string) =>
  db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== null;

describe("applyMigrations", () => {
  test("applies every migration and returns their names", () => {
    expect(applyMigrations(db, [FIRST, SECOND])).toEqual(["0001_first", "0002_second"]);
    expect(db.query("SELECT first_id FROM second").get()).toEqual({ first_id: 7 });
  });

  test("records each one in schema_migrations with when it ran", () => {
    const before = Date.now();
    applyMigrations(db, [FIRST, SECOND]);
    const rows = recorded();
    expect(rows.map(({ version, name }) => ({ version, name }))).toEqual([
      { version: 1, name: "0001_first" },
      { version: 2, name: "0002_second" },
    ]);
    for (const row of rows) {
      expect(row.applied_at).toBeGreaterThanOrEqual(before);
      expect(row.applied_at).toBeLessThanOrEqual(Date.now());
    }
  });

  test("running it again is a no-op", () => {
    applyMigrations(db, [FIRST, SECOND]);
    expect(applyMigrations(db, [FIRST, SECOND])).toEqual([]);
    expect(recorded()).toHaveLength(2);
    // A second run of FIRST's INSERT would have failed on the primary key.
    expect(db.query("SELECT count(*) AS n FROM first").get()).toEqual({ n: 1 });
  });

  test("applies only the migrations added since the last run", () => {
    applyMigrations(db, [FIRST]);
    expect(applyMigrations(db, [FIRST, SECOND])).toEqual(["0002_second"]);
  });

  test("applies migrations in version order whatever the list order", () => {
    expect(applyMigrations(db, [SECOND, FIRST])).toEqual(["0001_first", "0002_second"]);
  });

  test("a failing migration leaves nothing of itself and is not recorded", () => {
    const broken: Migration = {
      version: 2,
      name: "0002_broken",
      sql: "CREATE TABLE half (id INTEGER); INSERT INTO missing_table VALUES (1);",
    };
    expect(() => applyMigrations(db, [FIRST, broken])).toThrow();
    expect(tableExists("first")).toBe(true);
    expect(tableExists("half")).toBe(false);
    expect(recorded().map((row) => row.name)).toEqual(["0001_first"]);
  });

  test("applies the real migrations to a file, and twice is a no-op", () => {
    expect(applyMigrations(db, MIGRATIONS)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(applyMigrations(db, MIGRATIONS)).toEqual([]);
    expect(recorded().map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });
});

import type { Database } from "bun:sqlite";
import type { Migration } from "./migrations.ts";

/**
 * Applies the migrations not yet recorded in schema_migrations, each in its own
 * transaction, and returns the names of those it applied. Running it again is a no-op.
 * Throws, changing nothing, when the database records a migration this build does not know.
 */
export function applyMigrations(db: Database, migrations: readonly Migration[]): string[] {
  db.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const applied = new Set(
    db
      .query<{ version: number }, []>("SELECT version FROM schema_migrations")
      .all()
      .map((row) => row.version),
  );

  refuseNewerSchema(applied, migrations);

  const newlyApplied: string[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.run(migration.sql);
      db.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", [
        migration.version,
        migration.name,
        Date.now(),
      ]);
    })();
    newlyApplied.push(migration.name);
  }
  return newlyApplied;
}

/**
 * Throws when `applied` holds a version none of `migrations` has: a newer mcr wrote the
 * database, and this one would misread (or, migrating, damage) a schema it does not know.
 */
export function refuseNewerSchema(applied: ReadonlySet<number>, migrations: readonly Migration[]) {
  const known = new Set(migrations.map((migration) => migration.version));
  const unknown = [...applied].filter((version) => !known.has(version)).sort((a, b) => a - b);
  if (unknown.length === 0) return;
  throw new Error(
    `the database was written by a newer mcr: it records schema migration ${unknown.join(", ")}, ` +
      `which this mcr (up to ${Math.max(0, ...known)}) does not know; run the newer mcr`,
  );
}

import type { Database } from "bun:sqlite";
import type { Migration } from "./migrations.ts";

/**
 * Applies the migrations not yet recorded in schema_migrations, each in its own
 * transaction, and returns the names of those it applied. Running it again is a no-op.
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

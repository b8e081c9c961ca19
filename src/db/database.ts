import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Kysely } from "kysely";
import { BunSqliteDialect } from "kysely-bun-sqlite";
import { applyMigrations } from "./migrate.ts";
import { MIGRATIONS } from "./migrations.ts";
import type { DatabaseSchema } from "./schema.ts";
import { cacheStatements } from "./statement-cache.ts";

/** The metadata database: kysely for queries, plus the raw handle for closing. */
export interface MetadataDatabase {
  db: Kysely<DatabaseSchema>;
  /** The connection kysely runs on, for the few reads that skip it (manifest-lookup.ts). */
  sqlite: Database;
  /** Migrations applied while opening, for the start-up log. */
  migrated: string[];
  close(): Promise<void>;
}

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  path: string;
  busyTimeoutMs: number;
}

/**
 * Opens (creating if needed) the SQLite database and brings its schema up to date.
 *
 * WAL lets readers proceed while a write commits. synchronous=FULL makes every commit reach
 * the disk before it returns: a client that heard 201 must find its manifest after a power
 * cut, which NORMAL (the usual WAL pairing) does not promise.
 */
export function openDatabase(options: OpenDatabaseOptions): MetadataDatabase {
  mkdirSync(dirname(options.path), { recursive: true });
  const sqlite = new Database(options.path, { create: true, strict: true });
  sqlite.run("PRAGMA journal_mode = WAL");
  sqlite.run("PRAGMA synchronous = FULL");
  sqlite.run("PRAGMA foreign_keys = ON");
  sqlite.run(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);

  const migrated = applyMigrations(sqlite, MIGRATIONS);
  cacheStatements(sqlite);
  const db = new Kysely<DatabaseSchema>({ dialect: new BunSqliteDialect({ database: sqlite }) });
  return {
    db,
    sqlite,
    migrated,
    close: async () => {
      await db.destroy();
      // kysely hands destroy() to the driver only once it has run a query; the file must
      // close even when nothing ran since the migrations.
      sqlite.close();
    },
  };
}

import { Database } from "bun:sqlite";
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Kysely } from "kysely";
import { applyMigrations, refuseNewerSchema } from "./migrate.ts";
import { MIGRATIONS } from "./migrations.ts";
import type { DatabaseSchema } from "./schema.ts";
import { SqliteDialect } from "./sqlite-dialect.ts";
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
  return withKysely(sqlite, migrated);
}

/** kysely on an open connection, and a close that ends both. */
function withKysely(sqlite: Database, migrated: string[]): MetadataDatabase {
  const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect(sqlite) });
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

/**
 * Opens an existing database for reading only, as `mcr fsck` does without --repair: nothing
 * is created or migrated, so a check never changes what it checks. Throws when the file is
 * missing, is not an MCR database, was written by a newer mcr, or its schema lacks a
 * migration this build knows (run `mcr serve` once first).
 */
export function openDatabaseReadOnly(options: OpenDatabaseOptions): MetadataDatabase {
  const { sqlite, missing } = openAndVerify(options);
  if (missing.length > 0) {
    sqlite.close();
    throw new Error(
      `the database at ${options.path} lacks migrations ${missing.join(", ")}; ` +
        "start mcr serve once to bring it up to date",
    );
  }
  return withKysely(sqlite, []);
}

/**
 * Throws unless `options.path` is an MCR database this build can open: a readable SQLite
 * file with MCR's schema_migrations table and no migration newer than this build. Reads only;
 * for callers that must not migrate (and so change) another application's file.
 */
export function verifyMcrDatabase(options: OpenDatabaseOptions): void {
  openAndVerify(options).sqlite.close();
}

function openAndVerify(options: OpenDatabaseOptions): { sqlite: Database; missing: string[] } {
  if (!existsSync(options.path)) throw new Error(`there is no database at ${options.path}`);
  const sqlite = new Database(options.path, { readonly: true, strict: true });
  try {
    sqlite.run(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
    return { sqlite, missing: missingMigrations(sqlite, options.path) };
  } catch (error) {
    sqlite.close();
    throw error;
  }
}

/** The names of this build's migrations the database lacks; throws for a foreign or newer file. */
function missingMigrations(sqlite: Database, path: string): string[] {
  let applied: Set<number>;
  try {
    applied = new Set(
      sqlite
        .query<{ version: number }, []>("SELECT version FROM schema_migrations")
        .all()
        .map((row) => row.version),
    );
  } catch (error) {
    const message = (error as Error).message;
    if (/no such table/.test(message)) {
      throw new Error(`${path} is not an MCR database (no schema_migrations table)`);
    }
    // SQLite's words for a file that is not a database at all (random bytes, or encrypted).
    if (/not a database|encrypted/.test(message)) {
      throw new Error(`${path} is not an MCR database (${message})`);
    }
    throw new Error(`cannot read the database at ${path}: ${message}`);
  }
  refuseNewerSchema(applied, MIGRATIONS);
  return MIGRATIONS.filter((migration) => !applied.has(migration.version)).map((m) => m.name);
}

import type { Database, Statement } from "bun:sqlite";
import {
  findManifestByDigest,
  findManifestByTag,
  type ManifestRow,
  manifestByDigest,
  manifestByTag,
  type StoredManifest,
  toStored,
} from "./manifests.ts";
import type { Db } from "./schema.ts";

/**
 * The manifest lookups of a pull, run on bun:sqlite directly rather than through kysely.
 *
 * Manifest GET is the registry's hottest request. Through kysely each lookup passes the
 * driver's connection mutex and half a dozen async steps around a SQLite call that takes a
 * few microseconds; reading the prepared statement directly (bun:sqlite is synchronous)
 * cut the server's CPU per GET measurably (BENCHMARKS.md, "Before and after").
 *
 * The direct read is only right outside a transaction. kysely runs a transaction on the same
 * connection with awaits between its statements, and a read issued in between would see its
 * uncommitted rows, a manifest the transaction may yet roll back. While one is open, the
 * lookup goes through kysely, whose mutex makes it wait for the commit or rollback.
 */
export class ManifestLookup {
  readonly #db: Db;
  readonly #sqlite: Database;
  readonly #byTag: Statement<ManifestRow, [string, string]>;
  readonly #byDigest: Statement<ManifestRow, [string, string]>;

  /** `db` must be kysely on the connection `sqlite`, as openDatabase returns them. */
  constructor(db: Db, sqlite: Database) {
    this.#db = db;
    this.#sqlite = sqlite;
    // query() keeps the statements compiled for the connection's life and finalizes them
    // when it closes.
    this.#byTag = sqlite.query(manifestByTag.sql);
    this.#byDigest = sqlite.query(manifestByDigest.sql);
  }

  /** The manifest a tag of the named repository points at. */
  async byTag(repository: string, tag: string): Promise<StoredManifest | null> {
    if (this.#sqlite.inTransaction) return findManifestByTag(this.#db, repository, tag);
    const row = this.#byTag.get(repository, tag);
    return row ? toStored(row) : null;
  }

  /** A manifest of the named repository by digest. */
  async byDigest(repository: string, digest: string): Promise<StoredManifest | null> {
    if (this.#sqlite.inTransaction) return findManifestByDigest(this.#db, repository, digest);
    const row = this.#byDigest.get(repository, digest);
    return row ? toStored(row) : null;
  }
}

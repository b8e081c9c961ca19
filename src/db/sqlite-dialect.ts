import type { Database } from "bun:sqlite";
import type { DatabaseConnection, Driver, TransactionSettings } from "kysely";
import { BunSqliteDialect } from "kysely-bun-sqlite";

/**
 * The bun:sqlite dialect, with a rollback that knows when SQLite already rolled back.
 *
 * A COMMIT that fails for lack of space (SQLITE_FULL) or I/O ends the transaction inside
 * SQLite. kysely then sends ROLLBACK anyway, which fails with "no transaction is active",
 * and that error replaces the real one: a full disk would look like a bug. Rolling back
 * only while a transaction is open keeps the original error.
 */
export class SqliteDialect extends BunSqliteDialect {
  readonly #sqlite: Database;

  constructor(sqlite: Database) {
    super({ database: sqlite });
    this.#sqlite = sqlite;
  }

  override createDriver(): Driver {
    const inner = super.createDriver();
    const sqlite = this.#sqlite;
    return {
      init: () => inner.init(),
      acquireConnection: () => inner.acquireConnection(),
      beginTransaction: (connection: DatabaseConnection, settings: TransactionSettings) =>
        inner.beginTransaction(connection, settings),
      commitTransaction: (connection: DatabaseConnection) => inner.commitTransaction(connection),
      rollbackTransaction: async (connection: DatabaseConnection) => {
        if (sqlite.inTransaction) await inner.rollbackTransaction(connection);
      },
      releaseConnection: (connection: DatabaseConnection) => inner.releaseConnection(connection),
      destroy: () => inner.destroy(),
    };
  }
}

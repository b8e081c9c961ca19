import type { Database, SQLQueryBindings, Statement } from "bun:sqlite";

/** How many distinct statements are kept compiled; the registry runs a few dozen. */
const CAPACITY = 256;

/**
 * Makes `database` keep its most recently used statements compiled. The kysely driver
 * prepares every query it runs, and compiling the SQL was a quarter of the CPU of a manifest
 * GET; the queries repeat, so each is compiled once. A statement is never used by two
 * queries at once: bun:sqlite runs one statement at a time on its one connection. Closing
 * the database finalizes them.
 */
export function cacheStatements(database: Database): void {
  const prepare = database.prepare.bind(database);
  const close = database.close.bind(database);
  const statements = new Map<string, Statement>();

  const cachedPrepare = (sql: string, bindings?: SQLQueryBindings | SQLQueryBindings[]) => {
    if (bindings !== undefined) return prepare(sql, bindings);
    const cached = statements.get(sql);
    if (cached) {
      // Re-inserted so that the map's order is least recently used first.
      statements.delete(sql);
      statements.set(sql, cached);
      return cached;
    }
    const statement = prepare(sql);
    statements.set(sql, statement);
    if (statements.size > CAPACITY) {
      const [oldest, evicted] = statements.entries().next().value as [string, Statement];
      statements.delete(oldest);
      evicted.finalize();
    }
    return statement;
  };
  database.prepare = cachedPrepare as Database["prepare"];
  database.close = (throwOnError?: boolean) => {
    for (const statement of statements.values()) statement.finalize();
    statements.clear();
    close(throwOnError);
  };
}

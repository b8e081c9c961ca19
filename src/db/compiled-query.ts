import {
  type Compilable,
  type CompiledQuery,
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";
import type { DatabaseSchema, Db } from "./schema.ts";

/** Kysely with no connection: it only turns query builders into SQL. */
const compiler = new Kysely<DatabaseSchema>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

/**
 * A query built and compiled to SQL once, then run with fresh values. Building and compiling
 * a kysely query costs more than SQLite takes to answer a lookup by key, so the queries on
 * the pull path are compiled at start-up. `build` gets placeholder values; the values given
 * to the returned function replace them in the order they appear in the SQL.
 *
 * @example
 * const byName = compiledQuery((db) => db.selectFrom("repositories").select("id").where("name", "=", ""));
 * const rows = await byName(db, [name]);
 */
export function compiledQuery<Row>(
  build: (db: Kysely<DatabaseSchema>) => Compilable<Row>,
): PrecompiledQuery<Row> {
  const compiled = build(compiler).compile();
  const expected = compiled.parameters.length;
  const run = async (db: Db, values: readonly unknown[]) => {
    if (values.length !== expected) {
      throw new Error(`query takes ${expected} values, got ${values.length}: ${compiled.sql}`);
    }
    const query: CompiledQuery<Row> = { ...compiled, parameters: values };
    return (await db.executeQuery(query)).rows;
  };
  return Object.assign(run, { sql: compiled.sql });
}

/** A query from {@link compiledQuery}: run it through kysely, or read its SQL. */
export interface PrecompiledQuery<Row> {
  (db: Db, values: readonly unknown[]): Promise<Row[]>;
  /** The SQL, with `?` where the values go; for running it on bun:sqlite directly. */
  readonly sql: string;
}

import { compiledQuery } from "./compiled-query.ts";
import type { Db } from "./schema.ts";

const repositoryIdByName = compiledQuery((db) =>
  db.selectFrom("repositories").select("id").where("name", "=", ""),
);

/** The id of a repository, or null when nothing was ever pushed to it. */
export async function findRepositoryId(db: Db, name: string): Promise<number | null> {
  const [row] = await repositoryIdByName(db, [name]);
  return row?.id ?? null;
}

/** The id of a repository, creating it on first use; `created` tells which happened. */
export async function ensureRepository(db: Db, name: string, now = Date.now()) {
  const inserted = await db
    .insertInto("repositories")
    .values({ name, created_at: now })
    .onConflict((conflict) => conflict.column("name").doNothing())
    .executeTakeFirst();
  const id = await findRepositoryId(db, name);
  if (id === null) throw new Error(`repository ${name} vanished while being created`);
  return { id, created: (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n };
}

/** Repository names in lexical order after `last`, at most `limit` of them. */
export async function listRepositoryNames(
  db: Db,
  options: { last: string | null; limit: number | null },
): Promise<string[]> {
  let query = db.selectFrom("repositories").select("name").orderBy("name");
  if (options.last !== null) query = query.where("name", ">", options.last);
  if (options.limit !== null) query = query.limit(options.limit);
  return (await query.execute()).map((row) => row.name);
}

import { sql } from "kysely";
import type { Db } from "./schema.ts";

/**
 * Points a tag at a manifest, replacing whatever it pointed at. Returns the digest it pointed
 * at before, or null for a new tag. Run it inside a transaction for the two to agree.
 */
export async function setTag(
  db: Db,
  repositoryId: number,
  name: string,
  manifestId: number,
  now = Date.now(),
): Promise<string | null> {
  const previous = await db
    .selectFrom("tags")
    .innerJoin("manifests", "manifests.id", "tags.manifest_id")
    .select(["manifests.id", "manifests.digest"])
    .where("tags.repository_id", "=", repositoryId)
    .where("tags.name", "=", name)
    .executeTakeFirst();
  await db
    .insertInto("tags")
    .values({ repository_id: repositoryId, name, manifest_id: manifestId, updated_at: now })
    .onConflict((conflict) =>
      conflict.columns(["repository_id", "name"]).doUpdateSet({
        manifest_id: manifestId,
        updated_at: now,
      }),
    )
    .execute();
  return previous && previous.id !== manifestId ? previous.digest : null;
}

/** Removes a tag; true when there was one. */
export async function deleteTag(db: Db, repositoryId: number, name: string): Promise<boolean> {
  const result = await db
    .deleteFrom("tags")
    .where("repository_id", "=", repositoryId)
    .where("name", "=", name)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Tags of a repository in case-insensitive lexical order (ties broken by byte order, so the
 * order is total and `last` pages without repeats), after `last`, at most `limit`.
 */
export async function listTags(
  db: Db,
  repositoryId: number,
  options: { last: string | null; limit: number | null },
): Promise<string[]> {
  let query = db
    .selectFrom("tags")
    .select("name")
    .where("repository_id", "=", repositoryId)
    .orderBy(sql`name COLLATE NOCASE`)
    .orderBy("name");
  const { last } = options;
  if (last !== null) {
    query = query.where((eb) =>
      eb.or([
        eb(sql`name COLLATE NOCASE`, ">", last),
        eb.and([eb(sql`name COLLATE NOCASE`, "=", last), eb("name", ">", last)]),
      ]),
    );
  }
  if (options.limit !== null) query = query.limit(options.limit);
  return (await query.execute()).map((row) => row.name);
}

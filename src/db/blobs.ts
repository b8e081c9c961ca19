import type { Db } from "./schema.ts";

/** Records that the blob store holds `digest`; recording it twice is harmless. */
export async function recordBlob(db: Db, digest: string, size: number, now = Date.now()) {
  await db
    .insertInto("blobs")
    .values({ digest, size, created_at: now })
    .onConflict((conflict) => conflict.column("digest").doNothing())
    .execute();
}

/** Makes a blob readable through a repository. */
export async function linkBlob(db: Db, repositoryId: number, digest: string, now = Date.now()) {
  await db
    .insertInto("repository_blobs")
    .values({ repository_id: repositoryId, digest, created_at: now })
    .onConflict((conflict) => conflict.columns(["repository_id", "digest"]).doNothing())
    .execute();
}

/** The size of a blob linked to a repository, or null when it is not readable there. */
export async function findLinkedBlobSize(
  db: Db,
  repositoryId: number,
  digest: string,
): Promise<number | null> {
  const row = await db
    .selectFrom("repository_blobs")
    .innerJoin("blobs", "blobs.digest", "repository_blobs.digest")
    .select("blobs.size")
    .where("repository_blobs.repository_id", "=", repositoryId)
    .where("repository_blobs.digest", "=", digest)
    .executeTakeFirst();
  return row?.size ?? null;
}

/** Sizes of those of `digests` that are linked to the repository; the others are absent. */
export async function findLinkedBlobSizes(
  db: Db,
  repositoryId: number,
  digests: string[],
): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (let i = 0; i < digests.length; i += 500) {
    const rows = await db
      .selectFrom("repository_blobs")
      .innerJoin("blobs", "blobs.digest", "repository_blobs.digest")
      .select(["blobs.digest", "blobs.size"])
      .where("repository_blobs.repository_id", "=", repositoryId)
      .where("repository_blobs.digest", "in", digests.slice(i, i + 500))
      .execute();
    for (const row of rows) sizes.set(row.digest, row.size);
  }
  return sizes;
}

/** Removes a blob's link to a repository; true when there was one. */
export async function unlinkBlob(db: Db, repositoryId: number, digest: string): Promise<boolean> {
  const result = await db
    .deleteFrom("repository_blobs")
    .where("repository_id", "=", repositoryId)
    .where("digest", "=", digest)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

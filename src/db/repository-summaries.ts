import { sql } from "kysely";
import type { Db } from "./schema.ts";

/** What the admin API shows of a repository in a list. */
export interface RepositorySummary {
  name: string;
  tagCount: number;
  manifestCount: number;
  /** Bytes of the blobs linked to the repository (shared blobs count in each). */
  totalSize: number;
  /**
   * When a manifest was last pushed: a new manifest, or a tag pointed (again) at one, as
   * `docker push` of an image the registry already has does. Null for blobs only.
   */
  lastPush: number | null;
}

/** Repositories after `last` in name order, with their counts and sizes. */
export async function listRepositorySummaries(
  db: Db,
  options: { last: string | null; limit: number },
): Promise<RepositorySummary[]> {
  const result = await sql<{
    name: string;
    tag_count: number;
    manifest_count: number;
    total_size: number | null;
    last_push: number | null;
  }>`
    SELECT r.name,
      (SELECT count(*) FROM tags t WHERE t.repository_id = r.id) AS tag_count,
      (SELECT count(*) FROM manifests m WHERE m.repository_id = r.id) AS manifest_count,
      (SELECT sum(b.size) FROM repository_blobs rb JOIN blobs b ON b.digest = rb.digest
        WHERE rb.repository_id = r.id) AS total_size,
      (SELECT max(pushed) FROM (
        SELECT max(m.created_at) AS pushed FROM manifests m WHERE m.repository_id = r.id
        UNION ALL
        SELECT max(t.updated_at) FROM tags t WHERE t.repository_id = r.id)) AS last_push
    FROM repositories r
    WHERE r.name > ${options.last ?? ""}
    ORDER BY r.name
    LIMIT ${options.limit}`.execute(db);
  return result.rows.map((row) => ({
    name: row.name,
    tagCount: Number(row.tag_count),
    manifestCount: Number(row.manifest_count),
    totalSize: Number(row.total_size ?? 0),
    lastPush: row.last_push,
  }));
}

/** Every manifest of a repository with its tags, oldest first. */
export async function listRepositoryManifests(db: Db, repositoryId: number) {
  const manifests = await db
    .selectFrom("manifests")
    .select([
      "id",
      "digest",
      "media_type",
      "size",
      "artifact_type",
      "subject_digest",
      "created_at",
      "content",
    ])
    .where("repository_id", "=", repositoryId)
    .orderBy("id")
    .execute();
  const tags = await db
    .selectFrom("tags")
    .select(["name", "manifest_id", "updated_at"])
    .where("repository_id", "=", repositoryId)
    .orderBy("name")
    .execute();
  return { manifests, tags };
}

/** Deletes a repository's manifests, tags and blob links with the repository itself. */
export async function deleteRepositoryRow(db: Db, repositoryId: number): Promise<void> {
  // Foreign keys cascade from repositories to manifests, tags and links.
  await db.deleteFrom("repositories").where("id", "=", repositoryId).execute();
}

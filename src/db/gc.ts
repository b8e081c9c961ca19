import { sql } from "kysely";
import type { Db } from "./schema.ts";

/**
 * The garbage collector's statements. Each deletes at most `limit` rows and re-checks its
 * condition in the same statement, so a push committing between two batches is never
 * undone: SQLite runs one statement at a time, and a manifest push checks and stores its
 * references in one transaction.
 */

/**
 * Untagged image manifests that no index of their repository lists and that are not
 * referrers of a manifest still there, older than `before`. Returns how many were deleted.
 */
export async function deleteUntaggedManifests(db: Db, before: number, limit: number) {
  const result = await sql<{ id: number }>`
    DELETE FROM manifests WHERE id IN (
      SELECT m.id FROM manifests m
      WHERE m.created_at < ${before}
        AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.manifest_id = m.id)
        AND NOT EXISTS (
          SELECT 1 FROM manifest_references r JOIN manifests parent ON parent.id = r.manifest_id
          WHERE r.kind = 'manifest' AND r.digest = m.digest AND parent.repository_id = m.repository_id)
        AND (m.subject_digest IS NULL OR NOT EXISTS (
          SELECT 1 FROM manifests subject
          WHERE subject.repository_id = m.repository_id AND subject.digest = m.subject_digest))
      LIMIT ${limit})
    RETURNING id`.execute(db);
  return result.rows.length;
}

/**
 * Links of blobs to repositories where no manifest of that repository names the blob,
 * made before `before` (the grace period protects blobs pushed for a manifest to come).
 */
export async function deleteUnreferencedLinks(db: Db, before: number, limit: number) {
  const result = await sql<{ digest: string }>`
    DELETE FROM repository_blobs WHERE (repository_id, digest) IN (
      SELECT rb.repository_id, rb.digest FROM repository_blobs rb
      WHERE rb.created_at < ${before}
        AND NOT EXISTS (
          SELECT 1 FROM manifest_references r JOIN manifests m ON m.id = r.manifest_id
          WHERE r.kind = 'blob' AND r.digest = rb.digest AND m.repository_id = rb.repository_id)
      LIMIT ${limit})
    RETURNING digest`.execute(db);
  return result.rows.length;
}

/**
 * Blob rows no repository links and no manifest names, recorded before `before`. Returns
 * their digests and sizes: the files to delete next.
 */
export async function deleteUnusedBlobs(db: Db, before: number, limit: number) {
  const result = await sql<{ digest: string; size: number }>`
    DELETE FROM blobs WHERE digest IN (
      SELECT b.digest FROM blobs b
      WHERE b.created_at < ${before}
        AND NOT EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.digest = b.digest)
        AND NOT EXISTS (
          SELECT 1 FROM manifest_references r WHERE r.kind = 'blob' AND r.digest = b.digest)
      LIMIT ${limit})
    RETURNING digest, size`.execute(db);
  return result.rows;
}

/** True when the database records the blob. */
export async function blobRecorded(db: Db, digest: string): Promise<boolean> {
  const row = await db
    .selectFrom("blobs")
    .select("digest")
    .where("digest", "=", digest)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * True when a manifest names the blob or a repository links it. A blob file without a row
 * but with such a reference is not a leftover: its row was lost, and the file may be the only
 * copy of content that pulls need.
 */
export async function blobReferenced(db: Db, digest: string): Promise<boolean> {
  const result = await sql<{ found: number }>`
    SELECT 1 AS found WHERE
      EXISTS (SELECT 1 FROM manifest_references WHERE kind = 'blob' AND digest = ${digest})
      OR EXISTS (SELECT 1 FROM repository_blobs WHERE digest = ${digest})`.execute(db);
  return result.rows.length > 0;
}

/** Recorded blobs after `after` in digest order, `limit` at a time, for the reconcile pass. */
export async function listRecordedBlobs(db: Db, after: string, limit: number) {
  return db
    .selectFrom("blobs")
    .select(["digest", "size"])
    .where("digest", ">", after)
    .orderBy("digest")
    .limit(limit)
    .execute();
}

/** Repositories left with no manifest and no blob; returns how many were deleted. */
export async function deleteEmptyRepositories(db: Db, limit: number) {
  const result = await sql<{ id: number }>`
    DELETE FROM repositories WHERE id IN (
      SELECT r.id FROM repositories r
      WHERE NOT EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = r.id)
        AND NOT EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.repository_id = r.id)
      LIMIT ${limit})
    RETURNING id`.execute(db);
  return result.rows.length;
}

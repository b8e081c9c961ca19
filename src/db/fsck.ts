import { sql } from "kysely";
import type { Db } from "./schema.ts";

/**
 * The statements `mcr fsck` reads the metadata with. Each answers one invariant the schema
 * implies but cannot (or, with foreign keys switched off by some other tool, did not) enforce.
 */

/** What SQLite's own integrity check found wrong; empty when the file is sound. */
export async function integrityFailures(db: Db): Promise<string[]> {
  const result = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(db);
  return result.rows.map((row) => row.integrity_check).filter((line) => line !== "ok");
}

/** Rows whose foreign key names a parent row that does not exist. */
export async function brokenForeignKeys(db: Db) {
  const result = await sql<{ table: string; parent: string }>`PRAGMA foreign_key_check`.execute(db);
  return result.rows.map((row) => ({ table: row.table, parent: row.parent }));
}

/** Tags whose manifest is gone or belongs to another repository. */
export async function listDanglingTags(db: Db) {
  const result = await sql<{ repository: string | null; tag: string; manifest_id: number }>`
    SELECT r.name AS repository, t.name AS tag, t.manifest_id
    FROM tags t
    LEFT JOIN repositories r ON r.id = t.repository_id
    LEFT JOIN manifests m ON m.id = t.manifest_id
    WHERE m.id IS NULL OR m.repository_id != t.repository_id`.execute(db);
  return result.rows;
}

/** Manifests with an id above `afterId`, in id order, `limit` at a time. */
export async function listManifestsAfter(db: Db, afterId: number, limit: number) {
  return db
    .selectFrom("manifests")
    .leftJoin("repositories", "repositories.id", "manifests.repository_id")
    .select([
      "manifests.id",
      "repositories.name as repository",
      "manifests.digest",
      "manifests.media_type",
      "manifests.size",
      "manifests.content",
    ])
    .where("manifests.id", ">", afterId)
    .orderBy("manifests.id")
    .limit(limit)
    .execute();
}

/** What the database recorded a manifest to reference. */
export async function listManifestReferences(db: Db, manifestId: number) {
  return db
    .selectFrom("manifest_references")
    .select(["kind", "digest"])
    .where("manifest_id", "=", manifestId)
    .execute();
}

/** A reference from a manifest that cannot be followed. */
export interface BrokenReference {
  repository: string;
  manifest: string;
  digest: string;
}

/** Blob references whose blob has no row at all: its content is gone. */
export async function listReferencesToMissingBlobs(db: Db): Promise<BrokenReference[]> {
  const result = await sql<BrokenReference>`
    SELECT r.name AS repository, m.digest AS manifest, ref.digest
    FROM manifest_references ref
    JOIN manifests m ON m.id = ref.manifest_id
    JOIN repositories r ON r.id = m.repository_id
    WHERE ref.kind = 'blob' AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.digest = ref.digest)`.execute(
    db,
  );
  return result.rows;
}

/** Blob references whose blob exists but is not readable in the manifest's repository. */
export async function listReferencesToUnlinkedBlobs(db: Db): Promise<BrokenReference[]> {
  const result = await sql<BrokenReference>`
    SELECT r.name AS repository, m.digest AS manifest, ref.digest
    FROM manifest_references ref
    JOIN manifests m ON m.id = ref.manifest_id
    JOIN repositories r ON r.id = m.repository_id
    WHERE ref.kind = 'blob'
      AND EXISTS (SELECT 1 FROM blobs b WHERE b.digest = ref.digest)
      AND NOT EXISTS (
        SELECT 1 FROM repository_blobs rb
        WHERE rb.repository_id = m.repository_id AND rb.digest = ref.digest)`.execute(db);
  return result.rows;
}

/** Child manifests an index names that its repository does not hold. */
export async function listReferencesToMissingChildren(db: Db): Promise<BrokenReference[]> {
  const result = await sql<BrokenReference>`
    SELECT r.name AS repository, m.digest AS manifest, ref.digest
    FROM manifest_references ref
    JOIN manifests m ON m.id = ref.manifest_id
    JOIN repositories r ON r.id = m.repository_id
    WHERE ref.kind = 'manifest' AND NOT EXISTS (
      SELECT 1 FROM manifests child
      WHERE child.repository_id = m.repository_id AND child.digest = ref.digest)`.execute(db);
  return result.rows;
}

/** Every upload session with what it claims to hold and when it was last written. */
export async function listUploadSessions(db: Db) {
  return db.selectFrom("uploads").select(["id", "repository", "size", "updated_at"]).execute();
}

/** How many tags the database holds, for the summary. */
export async function countTags(db: Db): Promise<number> {
  const row = await db
    .selectFrom("tags")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

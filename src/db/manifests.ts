import { compiledQuery } from "./compiled-query.ts";
import type { Db } from "./schema.ts";

/** A stored manifest, as served to clients. */
export interface StoredManifest {
  id: number;
  digest: string;
  mediaType: string;
  size: number;
  content: Uint8Array;
}

/** A manifest to store, with what it references and what the referrers API reports. */
export interface NewManifest {
  repositoryId: number;
  digest: string;
  mediaType: string;
  content: Uint8Array;
  artifactType: string | null;
  subjectDigest: string | null;
  annotations: Record<string, string> | null;
  blobs: string[];
  children: string[];
}

/** A manifest whose subject is some digest, as the referrers API lists it. */
export interface Referrer {
  digest: string;
  mediaType: string;
  size: number;
  artifactType: string | null;
  annotations: Record<string, string> | null;
}

const SERVED_COLUMNS = ["id", "digest", "media_type", "size", "content"] as const;

// Looked up by repository name in the same query: a pull then costs one SQLite call.
// Exported for ManifestLookup (manifest-lookup.ts), which runs them on bun:sqlite directly.
export const manifestByDigest = compiledQuery((db) =>
  db
    .selectFrom("manifests")
    .innerJoin("repositories", "repositories.id", "manifests.repository_id")
    .select(SERVED_COLUMNS.map((column) => `manifests.${column}` as const))
    .where("repositories.name", "=", "")
    .where("manifests.digest", "=", ""),
);

export const manifestByTag = compiledQuery((db) =>
  db
    .selectFrom("tags")
    .innerJoin("repositories", "repositories.id", "tags.repository_id")
    .innerJoin("manifests", "manifests.id", "tags.manifest_id")
    .select(SERVED_COLUMNS.map((column) => `manifests.${column}` as const))
    .where("repositories.name", "=", "")
    .where("tags.name", "=", ""),
);

/** A manifest of the named repository by digest. */
export async function findManifestByDigest(
  db: Db,
  repository: string,
  digest: string,
): Promise<StoredManifest | null> {
  const [row] = await manifestByDigest(db, [repository, digest]);
  return row ? toStored(row) : null;
}

/** The manifest a tag of the named repository points at. */
export async function findManifestByTag(
  db: Db,
  repository: string,
  tag: string,
): Promise<StoredManifest | null> {
  const [row] = await manifestByTag(db, [repository, tag]);
  return row ? toStored(row) : null;
}

/** Stores a manifest and its references unless the repository has it already; returns its id. */
export async function insertManifest(db: Db, manifest: NewManifest, now = Date.now()) {
  const existing = await db
    .selectFrom("manifests")
    .select("id")
    .where("repository_id", "=", manifest.repositoryId)
    .where("digest", "=", manifest.digest)
    .executeTakeFirst();
  if (existing) return existing.id;

  const inserted = await db
    .insertInto("manifests")
    .values({
      repository_id: manifest.repositoryId,
      digest: manifest.digest,
      media_type: manifest.mediaType,
      size: manifest.content.byteLength,
      content: manifest.content,
      artifact_type: manifest.artifactType,
      subject_digest: manifest.subjectDigest,
      annotations: manifest.annotations ? JSON.stringify(manifest.annotations) : null,
      created_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();

  const references = [
    ...manifest.blobs.map((digest) => ({
      manifest_id: inserted.id,
      digest,
      kind: "blob" as const,
    })),
    ...manifest.children.map((digest) => ({
      manifest_id: inserted.id,
      digest,
      kind: "manifest" as const,
    })),
  ];
  for (let i = 0; i < references.length; i += 300) {
    await db
      .insertInto("manifest_references")
      .values(references.slice(i, i + 300))
      .execute();
  }
  return inserted.id;
}

/** Sizes of those of `digests` that are manifests of the repository; the others are absent. */
export async function findManifestSizes(
  db: Db,
  repositoryId: number,
  digests: string[],
): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (let i = 0; i < digests.length; i += 500) {
    const rows = await db
      .selectFrom("manifests")
      .select(["digest", "size"])
      .where("repository_id", "=", repositoryId)
      .where("digest", "in", digests.slice(i, i + 500))
      .execute();
    for (const row of rows) sizes.set(row.digest, row.size);
  }
  return sizes;
}

/** Deletes a manifest with its tags and references; true when there was one. */
export async function deleteManifest(db: Db, repositoryId: number, digest: string) {
  const result = await db
    .deleteFrom("manifests")
    .where("repository_id", "=", repositoryId)
    .where("digest", "=", digest)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Manifests of the repository whose subject is `digest`, oldest first. */
export async function listReferrers(
  db: Db,
  repositoryId: number,
  subjectDigest: string,
  artifactType: string | null,
): Promise<Referrer[]> {
  let query = db
    .selectFrom("manifests")
    .select(["digest", "media_type", "size", "artifact_type", "annotations"])
    .where("repository_id", "=", repositoryId)
    .where("subject_digest", "=", subjectDigest)
    .orderBy("id");
  if (artifactType !== null) query = query.where("artifact_type", "=", artifactType);
  return (await query.execute()).map((row) => ({
    digest: row.digest,
    mediaType: row.media_type,
    size: row.size,
    artifactType: row.artifact_type,
    annotations: row.annotations ? (JSON.parse(row.annotations) as Record<string, string>) : null,
  }));
}

/** A manifest row as the served columns come back from SQLite. */
export interface ManifestRow {
  id: number;
  digest: string;
  media_type: string;
  size: number;
  content: Uint8Array;
}

/** The row in the shape the registry serves. */
export function toStored(row: ManifestRow): StoredManifest {
  return {
    id: row.id,
    digest: row.digest,
    mediaType: row.media_type,
    size: row.size,
    content: row.content,
  };
}

import type { Generated } from "kysely";

/** The tables kysely sees; column types as SQLite returns them. */
export interface DatabaseSchema {
  repositories: { id: Generated<number>; name: string; created_at: number };
  blobs: { digest: string; size: number; created_at: number };
  repository_blobs: { repository_id: number; digest: string; created_at: number };
  manifests: {
    id: Generated<number>;
    repository_id: number;
    digest: string;
    media_type: string;
    size: number;
    content: Uint8Array;
    artifact_type: string | null;
    subject_digest: string | null;
    annotations: string | null;
    created_at: number;
  };
  manifest_references: { manifest_id: number; digest: string; kind: "blob" | "manifest" };
  tags: { repository_id: number; name: string; manifest_id: number; updated_at: number };
  uploads: {
    id: string;
    repository: string;
    size: number;
    created_at: number;
    updated_at: number;
  };
}

/** A database handle or an open transaction; every table module accepts either. */
export type Db = import("kysely").Kysely<DatabaseSchema>;

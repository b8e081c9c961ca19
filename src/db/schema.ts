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
  accounts: {
    id: string;
    username: string;
    account_type: "human" | "system";
    roles: string;
    disabled: number;
    password_hash: string | null;
    created_at: number;
    updated_at: number;
  };
  tokens: {
    id: string;
    secret_hash: string;
    kind: "registry" | "refresh" | "session" | "api";
    subject_id: string;
    username: string;
    account_type: string;
    roles: string;
    access: string | null;
    description: string;
    created_at: number;
    expires_at: number | null;
    revoked_at: number | null;
  };
  policy_rules: {
    id: Generated<number>;
    priority: number;
    effect: "allow" | "deny";
    subjects: string;
    account_types: string;
    roles: string;
    actions: string;
    repositories: string;
    description: string;
    enabled: number;
    created_at: number;
    updated_at: number;
  };
  audit_log: {
    id: Generated<number>;
    time: number;
    event_type: string;
    actor: string | null;
    repository: string | null;
    digest: string | null;
    client_address: string | null;
    details: string | null;
  };
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

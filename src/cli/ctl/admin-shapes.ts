/**
 * The admin API's answers as the REST API writes them: snake_case names, ISO 8601 times,
 * null for what is absent, numbers for sizes, counts and ids. Both clients return these
 * shapes and `--json` prints them, so output never depends on the transport.
 */

/** GET /v1/health. */
export interface HealthJson {
  status: string;
  version: string;
}

/** POST /v1/auth/login; the token is the caller's to keep and never printed. */
export interface LoginJson {
  token: string;
  expires_at: string;
  username: string;
  roles: string[];
}

/** One repository of GET /v1/repositories. */
export interface RepositorySummaryJson {
  name: string;
  tag_count: number;
  manifest_count: number;
  total_size: number;
  last_push: string | null;
}

/** One page of repositories; `next_last` is where the next page starts. */
export interface RepositoryPageJson {
  repositories: RepositorySummaryJson[];
  next_last: string | null;
}

/** A tag and the manifest it points at. */
export interface TagJson {
  name: string;
  digest: string;
  updated_at: string;
}

/** A stored manifest with what refers to it and what it refers to. */
export interface ManifestJson {
  digest: string;
  media_type: string;
  size: number;
  artifact_type: string | null;
  subject: string | null;
  created_at: string;
  tags: string[];
  /** os/architecture[/variant] of each child of an index. */
  platforms: string[];
  /** Digests of the manifests whose subject this one is. */
  referrers: string[];
}

/** GET /v1/repositories/<name>. */
export interface RepositoryJson {
  name: string;
  tags: TagJson[];
  manifests: ManifestJson[];
}

/** A policy rule; `builtin` rules are read-only. */
export interface RuleJson {
  id: number;
  priority: number;
  effect: string;
  subjects: string[];
  account_types: string[];
  roles: string[];
  actions: string[];
  repositories: string[];
  description: string;
  enabled: boolean;
  builtin: boolean;
}

/** Fields a caller writes to create or change a rule; what is absent is kept or defaulted. */
export type RuleFieldsJson = Partial<Omit<RuleJson, "id" | "builtin">>;

/** POST /v1/policy/evaluate. */
export interface EvaluationJson {
  allowed: boolean;
  reason: string;
  rule: RuleJson | null;
  applicable: RuleJson[];
}

/** One event of the audit trail. */
export interface AuditEventJson {
  id: number;
  time: string;
  event_type: string;
  actor: string | null;
  repository: string | null;
  digest: string | null;
  client_address: string | null;
  details: Record<string, unknown> | null;
}

/** A page of events, newest first; `next_before` pages on to older ones. */
export interface AuditPageJson {
  events: AuditEventJson[];
  next_before: number | null;
}

/** Filters of GET /v1/audit; absent ones do not filter. */
export interface AuditQuery {
  event_type?: string;
  actor?: string;
  repository?: string;
  /** ISO 8601, inclusive. */
  since?: string;
  limit?: number;
  before?: number;
}

/** What one garbage collection did, or has done so far. */
export interface GcReportJson {
  started_at: string;
  finished_at: string | null;
  reconcile: boolean;
  grace_period_seconds: number;
  manifests_deleted: number;
  links_deleted: number;
  repositories_deleted: number;
  blobs_deleted: number;
  bytes_freed: number;
  orphan_files_deleted: number;
  rows_without_file: number;
  error: string | null;
}

/** GET /v1/gc/status. */
export interface GcStatusJson {
  state: string;
  phase: string | null;
  current: GcReportJson | null;
  last: GcReportJson | null;
}

/** POST /v1/snapshot: a file on the server's disk. */
export interface SnapshotJson {
  path: string;
  size: number;
  pruned: string[];
}

/** A local account. */
export interface AccountJson {
  id: string;
  username: string;
  account_type: string;
  roles: string[];
  disabled: boolean;
  created_at: string;
}

/** A new account as the caller describes it. */
export interface NewAccountJson {
  username: string;
  account_type: string;
  roles: string[];
  password?: string;
}

/** An issued token without its secret. */
export interface TokenJson {
  id: string;
  kind: string;
  description: string;
  created_at: string;
  expires_at: string | null;
  revoked: boolean;
}

/** A new API token: the only answer that holds its secret. */
export interface NewTokenJson {
  id: string;
  token: string;
  expires_at: string | null;
}

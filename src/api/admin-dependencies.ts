import type { RepositoryService } from "../admin/repository-service.ts";
import type { SessionService } from "../admin/session-service.ts";
import type { SnapshotService } from "../admin/snapshot-service.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { AccountService } from "../auth/account-service.ts";
import type { Authenticator } from "../auth/authenticator.ts";
import type { GarbageCollector } from "../gc/garbage-collector.ts";
import type { PolicyService } from "../policy/policy-service.ts";
import type { ManifestService } from "../registry/manifests.ts";

/** The services the admin API's operations run on. */
export interface AdminDependencies {
  accounts: AccountService;
  policy: PolicyService;
  audit: AuditLog;
  gc: GarbageCollector;
  repositories: RepositoryService;
  /** Tag and manifest deletes go through the registry's own service, audited the same way. */
  manifests: ManifestService;
  snapshots: SnapshotService;
  /** Null for an open registry (auth provider "none"): no identities, no sessions. */
  identity: { authenticator: Authenticator; sessions: SessionService } | null;
  version: string;
}

import { AccountApi } from "./account-api.ts";
import type { AdminDependencies } from "./admin-dependencies.ts";
import { AuditApi } from "./audit-api.ts";
import { authenticate, type Caller } from "./caller.ts";
import { GcApi } from "./gc-api.ts";
import { PolicyApi } from "./policy-api.ts";
import { RepositoryApi } from "./repository-api.ts";
import { SessionApi } from "./session-api.ts";
import { SnapshotApi } from "./snapshot-api.ts";

/**
 * The admin API without a transport: every operation checks its caller's rights and its
 * input, calls the services and returns their records. The REST routes and the RPC services
 * only translate to and from their wire formats, so the two always agree.
 */
export class AdminApi {
  readonly accounts: AccountApi;
  readonly policy: PolicyApi;
  readonly repositories: RepositoryApi;
  readonly gc: GcApi;
  readonly audit: AuditApi;
  readonly sessions: SessionApi;
  readonly snapshots: SnapshotApi;

  constructor(private readonly deps: AdminDependencies) {
    this.accounts = new AccountApi(deps);
    this.policy = new PolicyApi(deps);
    this.repositories = new RepositoryApi(deps);
    this.gc = new GcApi(deps);
    this.audit = new AuditApi(deps);
    this.sessions = new SessionApi(deps);
    this.snapshots = new SnapshotApi(deps);
  }

  /** Who sent a call with this Authorization header; throws unauthenticated if nobody. */
  authenticate(authorization: string | null, clientAddress: string): Promise<Caller> {
    return authenticate(authorization, this.deps.identity?.authenticator ?? null, clientAddress);
  }
}

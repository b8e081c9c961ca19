import type {
  AccountJson,
  AuditPageJson,
  AuditQuery,
  EvaluationJson,
  GcStatusJson,
  HealthJson,
  LoginJson,
  NewAccountJson,
  NewTokenJson,
  RepositoryJson,
  RepositoryPageJson,
  RuleFieldsJson,
  RuleJson,
  SnapshotJson,
  TokenJson,
} from "./admin-shapes.ts";

/**
 * Every admin operation `mcr ctl` performs, one method each. The REST and the gRPC client
 * both answer in the REST API's JSON shapes and fail with a CtlError of the same kind, so a
 * command is written once and prints the same whichever transport carried it.
 */
export interface AdminClient {
  /** The base URL calls go to, as errors name it. */
  readonly server: string;

  health(): Promise<HealthJson>;
  /** Opens a session; a wrong password is a CtlError "unauthenticated" with the server's words. */
  login(username: string, password: string): Promise<LoginJson>;
  /** Revokes the session whose token this client sends. */
  logout(): Promise<void>;

  listRepositories(page: { pageSize?: number; last?: string }): Promise<RepositoryPageJson>;
  getRepository(name: string): Promise<RepositoryJson>;
  deleteRepository(name: string): Promise<void>;
  deleteTag(name: string, tag: string): Promise<void>;

  listRules(): Promise<{ rules: RuleJson[] }>;
  getRule(id: number): Promise<RuleJson>;
  createRule(fields: RuleFieldsJson): Promise<RuleJson>;
  /** Changes exactly the fields given. */
  updateRule(id: number, fields: RuleFieldsJson): Promise<RuleJson>;
  setRuleEnabled(id: number, enabled: boolean): Promise<RuleJson>;
  deleteRule(id: number): Promise<void>;
  evaluatePolicy(question: {
    subject: string;
    action: string;
    repository: string;
  }): Promise<EvaluationJson>;

  listAuditEvents(query: AuditQuery): Promise<AuditPageJson>;

  startGc(options: { reconcile: boolean; grace_period?: string }): Promise<GcStatusJson>;
  gcStatus(): Promise<GcStatusJson>;
  createSnapshot(): Promise<SnapshotJson>;

  listAccounts(): Promise<{ accounts: AccountJson[] }>;
  createAccount(account: NewAccountJson): Promise<AccountJson>;
  setAccountDisabled(username: string, disabled: boolean): Promise<void>;
  setPassword(username: string, password: string): Promise<void>;
  listTokens(username: string): Promise<{ tokens: TokenJson[] }>;
  /** `ttl` is a duration such as "90d"; absent for a token that never expires. */
  createToken(
    username: string,
    options: { description: string; ttl?: string },
  ): Promise<NewTokenJson>;
  revokeToken(username: string, id: string): Promise<void>;
}

/** Where and how to reach the server, settled from flags, environment and the saved login. */
export interface Connection {
  transport: "rest" | "grpc";
  /** Base URL without a trailing slash: the registry for REST, the RPC listener for gRPC. */
  server: string;
  /** Bearer token for every call but health and login; null to send none. */
  token: string | null;
  /** PEM certificates to trust for https, from --ca-cert. */
  ca: string | null;
}

/** How long one call may take before the server counts as unreachable. */
export const CALL_TIMEOUT_MS = 30_000;

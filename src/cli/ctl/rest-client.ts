import { type AdminClient, CALL_TIMEOUT_MS, type Connection } from "./admin-client.ts";
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
import { CtlError, type CtlErrorKind, refusal, unreachable } from "./errors.ts";
import { checkedRepositoryName } from "./repository-name.ts";

/** HTTP statuses of the admin REST API and the kind of failure each one means. */
const KIND_OF_STATUS: Record<number, CtlErrorKind> = {
  400: "invalid",
  401: "unauthenticated",
  403: "permission",
  404: "not-found",
  409: "conflict",
  413: "invalid",
  429: "throttled",
};

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** The admin client over the REST API under /v1, whose JSON is already the shared shape. */
export class RestAdminClient implements AdminClient {
  readonly server: string;

  constructor(private readonly connection: Connection) {
    this.server = connection.server;
  }

  health() {
    return this.#call<HealthJson>("GET", "/v1/health");
  }

  login(username: string, password: string) {
    return this.#call<LoginJson>("POST", "/v1/auth/login", { username, password });
  }

  async logout() {
    await this.#call("POST", "/v1/auth/logout");
  }

  listRepositories(page: { pageSize?: number; last?: string }) {
    const query = new URLSearchParams();
    if (page.pageSize) query.set("n", String(page.pageSize));
    if (page.last) query.set("last", page.last);
    return this.#call<RepositoryPageJson>("GET", `/v1/repositories?${query}`);
  }

  getRepository(name: string) {
    return this.#call<RepositoryJson>("GET", `/v1/repositories/${repositoryPath(name)}`);
  }

  async deleteRepository(name: string) {
    await this.#call("DELETE", `/v1/repositories/${repositoryPath(name)}`);
  }

  async deleteTag(name: string, tag: string) {
    const path = `/v1/repositories/${repositoryPath(name)}/tags/${encodeURIComponent(tag)}`;
    await this.#call("DELETE", path);
  }

  listRules() {
    return this.#call<{ rules: RuleJson[] }>("GET", "/v1/policy/rules");
  }

  getRule(id: number) {
    return this.#call<RuleJson>("GET", `/v1/policy/rules/${id}`);
  }

  createRule(fields: RuleFieldsJson) {
    return this.#call<RuleJson>("POST", "/v1/policy/rules", fields);
  }

  updateRule(id: number, fields: RuleFieldsJson) {
    return this.#call<RuleJson>("PATCH", `/v1/policy/rules/${id}`, fields);
  }

  setRuleEnabled(id: number, enabled: boolean) {
    const verb = enabled ? "enable" : "disable";
    return this.#call<RuleJson>("POST", `/v1/policy/rules/${id}/${verb}`);
  }

  async deleteRule(id: number) {
    await this.#call("DELETE", `/v1/policy/rules/${id}`);
  }

  evaluatePolicy(question: { subject: string; action: string; repository: string }) {
    return this.#call<EvaluationJson>("POST", "/v1/policy/evaluate", question);
  }

  listAuditEvents(query: AuditQuery) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== "") params.set(name, String(value));
    }
    return this.#call<AuditPageJson>("GET", `/v1/audit?${params}`);
  }

  startGc(options: { reconcile: boolean; grace_period?: string }) {
    return this.#call<GcStatusJson>("POST", "/v1/gc", options);
  }

  gcStatus() {
    return this.#call<GcStatusJson>("GET", "/v1/gc/status");
  }

  createSnapshot() {
    return this.#call<SnapshotJson>("POST", "/v1/snapshot");
  }

  listAccounts() {
    return this.#call<{ accounts: AccountJson[] }>("GET", "/v1/accounts");
  }

  createAccount(account: NewAccountJson) {
    return this.#call<AccountJson>("POST", "/v1/accounts", account);
  }

  async setAccountDisabled(username: string, disabled: boolean) {
    const verb = disabled ? "disable" : "enable";
    await this.#call("POST", `/v1/accounts/${encodeURIComponent(username)}/${verb}`);
  }

  async setPassword(username: string, password: string) {
    await this.#call("PUT", `/v1/accounts/${encodeURIComponent(username)}/password`, { password });
  }

  listTokens(username: string) {
    const path = `/v1/accounts/${encodeURIComponent(username)}/tokens`;
    return this.#call<{ tokens: TokenJson[] }>("GET", path);
  }

  createToken(username: string, options: { description: string; ttl?: string }) {
    const path = `/v1/accounts/${encodeURIComponent(username)}/tokens`;
    return this.#call<NewTokenJson>("POST", path, options);
  }

  async revokeToken(username: string, id: string) {
    const path = `/v1/accounts/${encodeURIComponent(username)}/tokens/${encodeURIComponent(id)}`;
    await this.#call("DELETE", path);
  }

  /** One request; the answer's JSON, or a CtlError saying why there is none. */
  async #call<T = null>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.connection.token) headers.Authorization = `Bearer ${this.connection.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";

    let response: Response;
    try {
      response = await fetch(`${this.server}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "manual",
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
        tls: this.connection.ca ? { ca: this.connection.ca } : undefined,
      });
    } catch (error) {
      throw unreachable(this.server, error);
    }

    const text = await response.text();
    if (response.ok) return (text === "" ? null : parseJson(text, this.server)) as T;
    throw failure(response.status, text, this.server);
  }
}

/** A repository name as a path: its slashes stay, anything else unusual is escaped. */
function repositoryPath(name: string): string {
  return checkedRepositoryName(name).split("/").map(encodeURIComponent).join("/");
}

function parseJson(text: string, server: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CtlError("server", `${server} answered something that is not JSON; is it MCR?`);
  }
}

/** A refusal from its status and `{"error": "..."}` body; anything else is the server's fault. */
function failure(status: number, text: string, server: string): CtlError {
  let message = `HTTP ${status}`;
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === "string" && body.error !== "") message = body.error;
  } catch {
    if (status === 404) {
      return new CtlError("not-found", `${server} has no admin API here; is it MCR?`);
    }
  }
  // 503 is the server's own word that a service behind it is down: passed on as it is.
  if (status === 503) return new CtlError("server", message);
  return refusal(KIND_OF_STATUS[status] ?? "server", message);
}

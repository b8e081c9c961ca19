import type { DescMessage, JsonObject, MessageShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  AccountSchema,
  AccountService,
  CreateTokenResponseSchema,
  ListAccountsResponseSchema,
  ListTokensResponseSchema,
} from "../../gen/mcr/v1/accounts_pb.ts";
import {
  AdminService,
  CreateSnapshotResponseSchema,
  HealthResponseSchema,
} from "../../gen/mcr/v1/admin_pb.ts";
import { AuditService, ListEventsResponseSchema } from "../../gen/mcr/v1/audit_pb.ts";
import { AuthService, LoginResponseSchema } from "../../gen/mcr/v1/auth_pb.ts";
import {
  EvaluateResponseSchema,
  ListRulesResponseSchema,
  PolicyService,
  type Rule,
  RuleSchema,
} from "../../gen/mcr/v1/policy_pb.ts";
import {
  GcStatusSchema,
  ListRepositoriesResponseSchema,
  RegistryService,
  RepositorySchema,
} from "../../gen/mcr/v1/registry_pb.ts";
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
import { restShape } from "./grpc-json.ts";

/** Connect codes the admin services use, and the kind of failure each one means. */
const KIND_OF_CODE: Partial<Record<Code, CtlErrorKind>> = {
  [Code.InvalidArgument]: "invalid",
  [Code.OutOfRange]: "invalid",
  [Code.Unauthenticated]: "unauthenticated",
  [Code.PermissionDenied]: "permission",
  [Code.NotFound]: "not-found",
  [Code.AlreadyExists]: "conflict",
  [Code.FailedPrecondition]: "conflict",
  [Code.ResourceExhausted]: "throttled",
};

/**
 * The admin client over the Connect services with a native gRPC transport (HTTP/2). Each
 * answer is turned into the REST shape by `restShape`, then unwrapped where the proto holds
 * the object in a field of the response.
 */
export class GrpcAdminClient implements AdminClient {
  readonly server: string;
  readonly #admin;
  readonly #auth;
  readonly #accounts;
  readonly #policy;
  readonly #audit;
  readonly #registry;

  constructor(connection: Connection) {
    this.server = connection.server;
    const token = connection.token;
    const bearer: Interceptor = (next) => (request) => {
      if (token) request.header.set("Authorization", `Bearer ${token}`);
      return next(request);
    };
    const transport = createGrpcTransport({
      baseUrl: connection.server,
      nodeOptions: connection.ca ? { ca: connection.ca } : undefined,
      interceptors: [bearer],
      defaultTimeoutMs: CALL_TIMEOUT_MS,
    });
    this.#admin = createClient(AdminService, transport);
    this.#auth = createClient(AuthService, transport);
    this.#accounts = createClient(AccountService, transport);
    this.#policy = createClient(PolicyService, transport);
    this.#audit = createClient(AuditService, transport);
    this.#registry = createClient(RegistryService, transport);
  }

  async health() {
    return as<HealthJson>(HealthResponseSchema, await this.#call(this.#admin.health({})));
  }

  async login(username: string, password: string) {
    const answer = await this.#call(this.#auth.login({ username, password }));
    return as<LoginJson>(LoginResponseSchema, answer);
  }

  async logout() {
    await this.#call(this.#auth.logout({}));
  }

  async listRepositories(page: { pageSize?: number; last?: string }) {
    const answer = await this.#call(
      this.#registry.listRepositories({ pageSize: page.pageSize ?? 0, last: page.last ?? "" }),
    );
    return as<RepositoryPageJson>(ListRepositoriesResponseSchema, answer);
  }

  async getRepository(name: string) {
    const { repository } = await this.#call(this.#registry.getRepository({ name }));
    if (!repository) throw missingField("repository");
    return as<RepositoryJson>(RepositorySchema, repository);
  }

  async deleteRepository(name: string) {
    await this.#call(this.#registry.deleteRepository({ name }));
  }

  async deleteTag(name: string, tag: string) {
    await this.#call(this.#registry.deleteTag({ name, tag }));
  }

  async listRules() {
    const answer = await this.#call(this.#policy.listRules({}));
    return as<{ rules: RuleJson[] }>(ListRulesResponseSchema, answer);
  }

  async getRule(id: number) {
    return ruleOf(await this.#call(this.#policy.getRule({ id: BigInt(id) })));
  }

  async createRule(fields: RuleFieldsJson) {
    return ruleOf(await this.#call(this.#policy.createRule({ rule: ruleMessage(fields) })));
  }

  async updateRule(id: number, fields: RuleFieldsJson) {
    // The mask names exactly the fields given, so an empty list or a zero is a change too.
    const answer = await this.#call(
      this.#policy.updateRule({
        id: BigInt(id),
        rule: ruleMessage(fields),
        updateMask: { paths: Object.keys(fields) },
      }),
    );
    return ruleOf(answer);
  }

  async setRuleEnabled(id: number, enabled: boolean) {
    const request = { id: BigInt(id) };
    const call: Promise<{ rule?: Rule }> = enabled
      ? this.#policy.enableRule(request)
      : this.#policy.disableRule(request);
    return ruleOf(await this.#call(call));
  }

  async deleteRule(id: number) {
    await this.#call(this.#policy.deleteRule({ id: BigInt(id) }));
  }

  async evaluatePolicy(question: { subject: string; action: string; repository: string }) {
    const answer = await this.#call(this.#policy.evaluate(question));
    return as<EvaluationJson>(EvaluateResponseSchema, answer);
  }

  async listAuditEvents(query: AuditQuery) {
    const answer = await this.#call(
      this.#audit.listEvents({
        eventType: query.event_type ?? "",
        actor: query.actor ?? "",
        repository: query.repository ?? "",
        since: query.since ? timestampFromMs(Date.parse(query.since)) : undefined,
        before: BigInt(query.before ?? 0),
        limit: query.limit ?? 0,
      }),
    );
    return as<AuditPageJson>(ListEventsResponseSchema, answer);
  }

  async startGc(options: { reconcile: boolean; grace_period?: string }) {
    const { status } = await this.#call(
      this.#registry.startGarbageCollection({
        reconcile: options.reconcile,
        gracePeriod: options.grace_period,
      }),
    );
    if (!status) throw missingField("status");
    return as<GcStatusJson>(GcStatusSchema, status);
  }

  async gcStatus() {
    const { status } = await this.#call(this.#registry.getGarbageCollectionStatus({}));
    if (!status) throw missingField("status");
    return as<GcStatusJson>(GcStatusSchema, status);
  }

  async createSnapshot() {
    const answer = await this.#call(this.#admin.createSnapshot({}));
    return as<SnapshotJson>(CreateSnapshotResponseSchema, answer);
  }

  async listAccounts() {
    const answer = await this.#call(this.#accounts.listAccounts({}));
    return as<{ accounts: AccountJson[] }>(ListAccountsResponseSchema, answer);
  }

  async createAccount(account: NewAccountJson) {
    const { account: created } = await this.#call(
      this.#accounts.createAccount({
        username: account.username,
        accountType: account.account_type,
        roles: account.roles,
        password: account.password,
      }),
    );
    if (!created) throw missingField("account");
    return as<AccountJson>(AccountSchema, created);
  }

  async setAccountDisabled(username: string, disabled: boolean) {
    const call: Promise<unknown> = disabled
      ? this.#accounts.disableAccount({ username })
      : this.#accounts.enableAccount({ username });
    await this.#call(call);
  }

  async setPassword(username: string, password: string) {
    await this.#call(this.#accounts.setPassword({ username, password }));
  }

  async listTokens(username: string) {
    const answer = await this.#call(this.#accounts.listTokens({ username }));
    return as<{ tokens: TokenJson[] }>(ListTokensResponseSchema, answer);
  }

  async createToken(username: string, options: { description: string; ttl?: string }) {
    const answer = await this.#call(
      this.#accounts.createToken({
        username,
        description: options.description,
        ttl: options.ttl ?? "",
      }),
    );
    return as<NewTokenJson>(CreateTokenResponseSchema, answer);
  }

  async revokeToken(username: string, id: string) {
    await this.#call(this.#accounts.revokeToken({ username, id }));
  }

  /** Awaits a call, turning a ConnectError into the CtlError the REST client would raise. */
  async #call<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      throw failure(error, this.server);
    }
  }
}

/** A message in its REST shape, typed as the interface says it is. */
function as<T>(schema: DescMessage, message: MessageShape<DescMessage>): T {
  return restShape(schema, message) as JsonObject as T;
}

function ruleOf(answer: { rule?: Rule }): RuleJson {
  if (!answer.rule) throw missingField("rule");
  return as<RuleJson>(RuleSchema, answer.rule);
}

/** Rule fields from the REST shape to the proto's; absent ones stay unset. */
function ruleMessage(fields: RuleFieldsJson) {
  return {
    priority: fields.priority,
    effect: fields.effect,
    subjects: fields.subjects,
    accountTypes: fields.account_types,
    roles: fields.roles,
    actions: fields.actions,
    repositories: fields.repositories,
    description: fields.description,
    enabled: fields.enabled,
  };
}

function missingField(name: string): CtlError {
  return new CtlError("server", `the server's answer has no ${name}`);
}

/**
 * A failed call as a CtlError. Failures the transport raised carry the network error as
 * their cause and mean the server was not reached; the server's own refusals carry none.
 */
function failure(error: unknown, server: string): CtlError {
  const connectError = ConnectError.from(error);
  if (connectError.cause instanceof Error || connectError.code === Code.DeadlineExceeded) {
    return unreachable(server, connectError.cause ?? new Error("timed out"));
  }
  const message = connectError.rawMessage;
  if (connectError.code === Code.Unavailable) return new CtlError("server", message);
  return refusal(KIND_OF_CODE[connectError.code] ?? "server", message);
}

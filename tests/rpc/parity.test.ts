import { afterAll, beforeAll, expect, test } from "bun:test";
import type { DescMessage, DescService, MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  AccountService,
  CreateAccountResponseSchema,
  CreateTokenResponseSchema,
  ListAccountsResponseSchema,
  ListTokensResponseSchema,
} from "../../src/gen/mcr/v1/accounts_pb.ts";
import {
  AdminService,
  CreateSnapshotResponseSchema,
  HealthResponseSchema,
} from "../../src/gen/mcr/v1/admin_pb.ts";
import { AuditService, ListEventsResponseSchema } from "../../src/gen/mcr/v1/audit_pb.ts";
import { AuthService, LoginResponseSchema } from "../../src/gen/mcr/v1/auth_pb.ts";
import {
  CreateRuleResponseSchema,
  DisableRuleResponseSchema,
  EnableRuleResponseSchema,
  EvaluateResponseSchema,
  GetRuleResponseSchema,
  ListRulesResponseSchema,
  PolicyService,
  UpdateRuleResponseSchema,
} from "../../src/gen/mcr/v1/policy_pb.ts";
import {
  GetGarbageCollectionStatusResponseSchema,
  GetManifestResponseSchema,
  GetRepositoryResponseSchema,
  ListRepositoriesResponseSchema,
  RegistryService,
  StartGarbageCollectionResponseSchema,
} from "../../src/gen/mcr/v1/registry_pb.ts";
import { type AuthRegistry, bearer, pushImageAs, startAuthRegistry } from "../helpers/auth.ts";
import { comparable, rpcAsRest } from "../helpers/parity.ts";
import { callApi } from "../helpers/rest-client.ts";
import { connectRpc, type RpcConnector } from "../helpers/rpc-client.ts";

/**
 * Every admin method, called over REST on one registry and over native gRPC on a twin that
 * starts the same and is sent the same requests. Each pair of answers, refusals included,
 * must be the same once both are in one form (tests/helpers/parity.ts), leaving out only what
 * two registries cannot share: generated ids and secrets, clocks and file paths.
 */

const SERVICES: DescService[] = [
  AdminService,
  AuthService,
  AccountService,
  PolicyService,
  AuditService,
  RegistryService,
];

/** Fields that differ between twins by nature. */
const UNSHARED = ["token", "expires_at", "created_at", "updated_at", "last_push", "time", "path"];
const GC_CLOCKS = ["started_at", "finished_at", "duration_ms", "longest_pause_ms"];

let rest: AuthRegistry;
let grpc: AuthRegistry;
let rpc: RpcConnector;
const called = new Set<string>();

beforeAll(async () => {
  [rest, grpc] = await Promise.all([startAuthRegistry(), startAuthRegistry()]);
  // The same generated admin password is needed for twin Login calls.
  rpc = connectRpc(grpc);
  for (const registry of [rest, grpc]) {
    for (const [name, tag] of [
      ["team/app", "v1"],
      ["team/app", "v2"],
      ["team/other", "v1"],
    ] as const) {
      await pushImageAs(registry.url, name, tag, registry.admin);
    }
  }
});
afterAll(async () => {
  await Promise.all([rest.destroy(), grpc.destroy()]);
});

/** One answer in the common form: what it said, or its HTTP status class and message. */
type Outcome = { ok: unknown } | { status: number; message: string };

/** The HTTP status our REST API gives each refusal, by the code RPC gives it. */
const STATUS_OF_CODE: Partial<Record<Code, number>> = {
  [Code.InvalidArgument]: 400,
  [Code.Unauthenticated]: 401,
  [Code.PermissionDenied]: 403,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.FailedPrecondition]: 409,
  [Code.ResourceExhausted]: 429,
  [Code.Unavailable]: 503,
};

interface RestCall {
  method: string;
  path: string;
  json?: unknown;
  /** Sent instead of the admin's credentials. */
  authorization?: string;
}

async function viaRest(call: RestCall, ignore: string[]): Promise<Outcome> {
  const answer = await callApi<Record<string, unknown> | null>(rest.url, call.method, call.path, {
    authorization: call.authorization ?? rest.admin,
    json: call.json,
  });
  if (answer.status >= 400) {
    return { status: answer.status, message: String(answer.body?.error) };
  }
  return { ok: answer.body === null ? null : comparable(answer.body, ignore) };
}

interface RpcCall<Desc extends DescMessage> {
  service: DescService;
  method: string;
  request: object;
  /** The response's schema, and the field that wraps the answer; none for an empty answer. */
  schema?: Desc;
  field?: string;
  /** Reshapes the response's JSON where REST writes it differently. */
  reshape?: (json: Record<string, unknown>) => unknown;
  authorization?: string;
}

async function viaRpc<Desc extends DescMessage>(
  call: RpcCall<Desc>,
  ignore: string[],
): Promise<Outcome> {
  const client = rpc(call.service, call.authorization ?? grpc.admin) as unknown as Record<
    string,
    (request: object) => Promise<MessageShape<Desc>>
  >;
  const method = call.service.methods.find((candidate) => candidate.localName === call.method);
  if (!method) throw new Error(`${call.service.typeName} has no method ${call.method}`);
  called.add(`${call.service.typeName}/${method.name}`);
  try {
    const response = await (
      client[call.method] as (request: object) => Promise<MessageShape<Desc>>
    )(call.request);
    if (!call.schema) return { ok: null };
    const json = rpcAsRest(call.schema, response, call.field);
    const shaped = call.reshape ? call.reshape(json as Record<string, unknown>) : json;
    return { ok: comparable(shaped, ignore) };
  } catch (error) {
    const connectError = ConnectError.from(error);
    return { status: STATUS_OF_CODE[connectError.code] ?? 500, message: connectError.rawMessage };
  }
}

/** Sends one request each way and asserts the two answers agree; returns the REST one. */
async function same<Desc extends DescMessage>(
  restCall: RestCall,
  rpcCall: RpcCall<Desc>,
  ignore: string[] = [],
): Promise<Outcome> {
  const fromRest = await viaRest(restCall, [...UNSHARED, ...ignore]);
  const fromRpc = await viaRpc(rpcCall, [...UNSHARED, ...ignore]);
  expect({ via: `${restCall.method} ${restCall.path}`, ...fromRpc }).toEqual({
    via: `${restCall.method} ${restCall.path}`,
    ...fromRest,
  });
  return fromRest;
}

const ACCOUNT_IDS = ["id"];

test("AdminService.Health and AuthService.Login and Logout", async () => {
  await same(
    { method: "GET", path: "/v1/health" },
    { service: AdminService, method: "health", request: {}, schema: HealthResponseSchema },
  );
  const credentials = { username: "admin", password: rest.adminPassword };
  const restLogin = await callApi<{ token: string }>(rest.url, "POST", "/v1/auth/login", {
    json: credentials,
  });
  const rpcLogin = await rpc(AuthService).login({
    username: "admin",
    password: grpc.adminPassword,
  });
  expect(comparable(rpcAsRest(LoginResponseSchema, rpcLogin), UNSHARED)).toEqual(
    comparable(restLogin.body, UNSHARED),
  );
  called.add("mcr.v1.AuthService/Login");
  // A wrong password is refused alike.
  await same(
    {
      method: "POST",
      path: "/v1/auth/login",
      json: { username: "admin", password: "wrong password" },
    },
    {
      service: AuthService,
      method: "login",
      request: { username: "admin", password: "wrong password" },
    },
  );
  await same(
    { method: "POST", path: "/v1/auth/logout", authorization: bearer(restLogin.body.token) },
    { service: AuthService, method: "logout", request: {}, authorization: bearer(rpcLogin.token) },
  );
  // The session is gone on both.
  await same(
    { method: "GET", path: "/v1/accounts", authorization: bearer(restLogin.body.token) },
    {
      service: AccountService,
      method: "listAccounts",
      request: {},
      authorization: bearer(rpcLogin.token),
    },
  );
});

test("AuthService.Login: a locked-out name is refused alike", async () => {
  // The default limit is ten failures; both twins are sent ten different guesses at once
  // (the same guess sent twice at once is checked, and counted, once).
  const wrong = { username: "guessed", password: "wrong password" };
  await Promise.all(
    Array.from({ length: 10 }, (_, i) => {
      const guess = { ...wrong, password: `wrong password ${i}` };
      return [
        callApi(rest.url, "POST", "/v1/auth/login", { json: guess }),
        rpc(AuthService)
          .login(guess)
          .catch(() => null),
      ];
    }).flat(),
  );
  const refused = await same(
    { method: "POST", path: "/v1/auth/login", json: wrong },
    { service: AuthService, method: "login", request: wrong },
  );
  expect(refused).toMatchObject({ status: 429 });
  // Twenty argon2id checks on two cores: seconds when the machine is busy.
}, 30_000);

test("AccountService: accounts and their tokens", async () => {
  await same(
    {
      method: "POST",
      path: "/v1/accounts",
      json: { username: "robot", account_type: "system", roles: ["ci"] },
    },
    {
      service: AccountService,
      method: "createAccount",
      request: { username: "robot", accountType: "system", roles: ["ci"] },
      schema: CreateAccountResponseSchema,
      field: "account",
    },
    ACCOUNT_IDS,
  );
  const alice = { username: "alice", password: "correct horse battery" };
  await same(
    { method: "POST", path: "/v1/accounts", json: { ...alice, account_type: "human" } },
    {
      service: AccountService,
      method: "createAccount",
      request: { ...alice, accountType: "human" },
      schema: CreateAccountResponseSchema,
      field: "account",
    },
    ACCOUNT_IDS,
  );
  await same(
    { method: "POST", path: "/v1/accounts", json: { username: "alice", account_type: "bot" } },
    {
      service: AccountService,
      method: "createAccount",
      request: { username: "alice", accountType: "bot" },
    },
  );
  const listAccounts = () =>
    same(
      { method: "GET", path: "/v1/accounts" },
      {
        service: AccountService,
        method: "listAccounts",
        request: {},
        schema: ListAccountsResponseSchema,
      },
      ACCOUNT_IDS,
    );
  await listAccounts();
  await same(
    { method: "POST", path: "/v1/accounts/alice/disable" },
    { service: AccountService, method: "disableAccount", request: { username: "alice" } },
  );
  await listAccounts();
  await same(
    { method: "POST", path: "/v1/accounts/alice/enable" },
    { service: AccountService, method: "enableAccount", request: { username: "alice" } },
  );
  await same(
    { method: "POST", path: "/v1/accounts/nobody/enable" },
    { service: AccountService, method: "enableAccount", request: { username: "nobody" } },
  );
  await same(
    { method: "PUT", path: "/v1/accounts/alice/password", json: { password: "another long one" } },
    {
      service: AccountService,
      method: "setPassword",
      request: { username: "alice", password: "another long one" },
    },
  );
  await same(
    { method: "PUT", path: "/v1/accounts/alice/password", json: { password: "short" } },
    {
      service: AccountService,
      method: "setPassword",
      request: { username: "alice", password: "short" },
    },
  );

  // The last admin stays enabled; a token cannot outlive what a timestamp holds.
  await same(
    { method: "POST", path: "/v1/accounts/admin/disable" },
    { service: AccountService, method: "disableAccount", request: { username: "admin" } },
  );
  await same(
    { method: "POST", path: "/v1/accounts/robot/tokens", json: { ttl: "99999999d" } },
    {
      service: AccountService,
      method: "createToken",
      request: { username: "robot", ttl: "99999999d" },
    },
  );

  const issued = await same(
    { method: "POST", path: "/v1/accounts/robot/tokens", json: { description: "ci", ttl: "1h" } },
    {
      service: AccountService,
      method: "createToken",
      request: { username: "robot", description: "ci", ttl: "1h" },
      schema: CreateTokenResponseSchema,
    },
    ACCOUNT_IDS,
  );
  expect(issued).toEqual({ ok: {} });
  const listTokens = () =>
    same(
      { method: "GET", path: "/v1/accounts/robot/tokens" },
      {
        service: AccountService,
        method: "listTokens",
        request: { username: "robot" },
        schema: ListTokensResponseSchema,
      },
      ACCOUNT_IDS,
    );
  await listTokens();
  const restToken = await callApi<{ tokens: { id: string }[] }>(
    rest.url,
    "GET",
    "/v1/accounts/robot/tokens",
    { authorization: rest.admin },
  );
  const rpcToken = await rpc(AccountService, grpc.admin).listTokens({ username: "robot" });
  await same(
    { method: "DELETE", path: `/v1/accounts/robot/tokens/${restToken.body.tokens[0]?.id}` },
    {
      service: AccountService,
      method: "revokeToken",
      request: { username: "robot", id: rpcToken.tokens[0]?.id },
    },
  );
  await listTokens();
  await same(
    { method: "DELETE", path: "/v1/accounts/robot/tokens/no-such-token" },
    {
      service: AccountService,
      method: "revokeToken",
      request: { username: "robot", id: "no-such-token" },
    },
  );
}, 30_000);

test("PolicyService: rules, their changes and the evaluator", async () => {
  const fields = {
    priority: 10,
    effect: "allow",
    subjects: ["robot"],
    actions: ["registry:push", "registry:pull"],
    repositories: ["team/*"],
    description: "robot pushes to team",
  };
  const created = await same(
    { method: "POST", path: "/v1/policy/rules", json: fields },
    {
      service: PolicyService,
      method: "createRule",
      request: { rule: fields },
      schema: CreateRuleResponseSchema,
      field: "rule",
    },
  );
  const id = (created as { ok: { id: number } }).ok.id;
  await same(
    { method: "POST", path: "/v1/policy/rules", json: { ...fields, effect: "maybe" } },
    {
      service: PolicyService,
      method: "createRule",
      request: { rule: { ...fields, effect: "maybe" } },
    },
  );
  await same(
    { method: "GET", path: `/v1/policy/rules/${id}` },
    {
      service: PolicyService,
      method: "getRule",
      request: { id: BigInt(id) },
      schema: GetRuleResponseSchema,
      field: "rule",
    },
  );
  await same(
    { method: "PATCH", path: `/v1/policy/rules/${id}`, json: { priority: 20 } },
    {
      service: PolicyService,
      method: "updateRule",
      request: { id: BigInt(id), rule: { priority: 20 } },
      schema: UpdateRuleResponseSchema,
      field: "rule",
    },
  );
  await same(
    { method: "PATCH", path: "/v1/policy/rules/-1", json: { priority: 20 } },
    {
      service: PolicyService,
      method: "updateRule",
      request: { id: -1n, rule: { priority: 20 } },
    },
  );
  await same(
    { method: "POST", path: `/v1/policy/rules/${id}/disable` },
    {
      service: PolicyService,
      method: "disableRule",
      request: { id: BigInt(id) },
      schema: DisableRuleResponseSchema,
      field: "rule",
    },
  );
  await same(
    { method: "POST", path: `/v1/policy/rules/${id}/enable` },
    {
      service: PolicyService,
      method: "enableRule",
      request: { id: BigInt(id) },
      schema: EnableRuleResponseSchema,
      field: "rule",
    },
  );
  await same(
    { method: "GET", path: "/v1/policy/rules" },
    { service: PolicyService, method: "listRules", request: {}, schema: ListRulesResponseSchema },
  );
  for (const question of [
    { subject: "robot", action: "registry:push", repository: "team/app" },
    { subject: "robot", action: "registry:delete", repository: "team/app" },
    { subject: "robot", action: "push", repository: "team/app" },
  ]) {
    await same(
      { method: "POST", path: "/v1/policy/evaluate", json: question },
      {
        service: PolicyService,
        method: "evaluate",
        request: question,
        schema: EvaluateResponseSchema,
      },
    );
  }
  await same(
    { method: "DELETE", path: `/v1/policy/rules/${id}` },
    { service: PolicyService, method: "deleteRule", request: { id: BigInt(id) } },
  );
  await same(
    { method: "GET", path: `/v1/policy/rules/${id}` },
    { service: PolicyService, method: "getRule", request: { id: BigInt(id) } },
  );
});

test("RegistryService: repositories, manifests, tags and garbage collection", async () => {
  await same(
    { method: "GET", path: "/v1/repositories?n=1" },
    {
      service: RegistryService,
      method: "listRepositories",
      request: { pageSize: 1 },
      schema: ListRepositoriesResponseSchema,
    },
  );
  const repository = await same(
    { method: "GET", path: "/v1/repositories/team/app" },
    {
      service: RegistryService,
      method: "getRepository",
      request: { name: "team/app" },
      schema: GetRepositoryResponseSchema,
      field: "repository",
    },
  );
  const [first, second] = (repository as { ok: { manifests: { digest: string }[] } }).ok.manifests;
  await same(
    { method: "GET", path: `/v1/repositories/team/app/manifests/${first?.digest}` },
    {
      service: RegistryService,
      method: "getManifest",
      request: { name: "team/app", digest: first?.digest },
      schema: GetManifestResponseSchema,
      // REST writes the manifest's JSON beside its other fields.
      reshape: ({ manifest, content }) => ({ ...(manifest as object), content }),
    },
  );
  await same(
    { method: "DELETE", path: "/v1/repositories/team/app/tags/v1" },
    { service: RegistryService, method: "deleteTag", request: { name: "team/app", tag: "v1" } },
  );
  const again = await same(
    { method: "DELETE", path: "/v1/repositories/team/app/tags/v1" },
    { service: RegistryService, method: "deleteTag", request: { name: "team/app", tag: "v1" } },
  );
  expect(again).toEqual({ status: 404, message: "tag v1 is not in repository team/app" });
  await same(
    { method: "DELETE", path: `/v1/repositories/team/app/manifests/${second?.digest}` },
    {
      service: RegistryService,
      method: "deleteManifest",
      request: { name: "team/app", digest: second?.digest },
    },
  );
  await same(
    { method: "DELETE", path: "/v1/repositories/team/other" },
    { service: RegistryService, method: "deleteRepository", request: { name: "team/other" } },
  );
  await same(
    { method: "GET", path: "/v1/repositories/team/other" },
    { service: RegistryService, method: "getRepository", request: { name: "team/other" } },
  );
  await same(
    { method: "GET", path: "/v1/repositories" },
    {
      service: RegistryService,
      method: "listRepositories",
      request: {},
      schema: ListRepositoriesResponseSchema,
    },
  );

  await same(
    { method: "POST", path: "/v1/gc", json: { reconcile: true } },
    {
      service: RegistryService,
      method: "startGarbageCollection",
      request: { reconcile: true },
      schema: StartGarbageCollectionResponseSchema,
      field: "status",
    },
    GC_CLOCKS,
  );
  await Promise.all([untilIdle(rest), untilIdle(grpc)]);
  await same(
    { method: "POST", path: "/v1/gc", json: { grace_period: "soon" } },
    {
      service: RegistryService,
      method: "startGarbageCollection",
      request: { reconcile: false, gracePeriod: "soon" },
    },
  );
  await same(
    { method: "POST", path: "/v1/gc", json: { grace_period: "0s" } },
    {
      service: RegistryService,
      method: "startGarbageCollection",
      request: { reconcile: false, gracePeriod: "0s" },
      schema: StartGarbageCollectionResponseSchema,
      field: "status",
    },
    GC_CLOCKS,
  );
  await Promise.all([untilIdle(rest), untilIdle(grpc)]);
  await same(
    { method: "GET", path: "/v1/gc/status" },
    {
      service: RegistryService,
      method: "getGarbageCollectionStatus",
      request: {},
      schema: GetGarbageCollectionStatusResponseSchema,
      field: "status",
    },
    GC_CLOCKS,
  );
});

test("AdminService.CreateSnapshot and AuditService.ListEvents", async () => {
  await same(
    { method: "POST", path: "/v1/snapshot" },
    {
      service: AdminService,
      method: "createSnapshot",
      request: {},
      schema: CreateSnapshotResponseSchema,
    },
    // Two databases of the same content differ in their pages' free space.
    ["size"],
  );
  // Events record account ids and client ports, which twins do not share.
  const ignore = ["details", "client_address", "actor"];
  await same(
    { method: "GET", path: "/v1/audit?limit=50" },
    {
      service: AuditService,
      method: "listEvents",
      request: { limit: 50 },
      schema: ListEventsResponseSchema,
    },
    ignore,
  );
  await same(
    { method: "GET", path: "/v1/audit?event_type=policy_rule_created&repository=none" },
    {
      service: AuditService,
      method: "listEvents",
      request: { eventType: "policy_rule_created", repository: "none" },
      schema: ListEventsResponseSchema,
    },
    ignore,
  );
  await same(
    { method: "GET", path: "/v1/audit?limit=-3" },
    { service: AuditService, method: "listEvents", request: { limit: -3 } },
  );
});

test("every method of every service was compared", () => {
  const every = SERVICES.flatMap((service) =>
    service.methods.map((method) => `${service.typeName}/${method.name}`),
  );
  expect(every.filter((method) => !called.has(method))).toEqual([]);
});

async function untilIdle(registry: AuthRegistry): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const status = await callApi<{ state: string }>(registry.url, "GET", "/v1/gc/status", {
      authorization: registry.admin,
    });
    if (status.body.state === "idle") return;
    await Bun.sleep(25);
  }
  throw new Error("garbage collection did not finish");
}

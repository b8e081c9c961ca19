import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type AuthRegistry,
  addRule,
  basic,
  bearer,
  createSystemAccount,
  startAuthRegistry,
  tokenFor,
} from "../helpers/auth.ts";
import { callApi, expectApiError, expectStatus } from "../helpers/rest-client.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

/** Who may call which /v1 endpoint, with which credentials. */
let registry: AuthRegistry;
const personPassword = "person-password-1";
let person: string;
let robot: { token: string; authorization: string };
beforeAll(async () => {
  registry = await startAuthRegistry();
  await registry.running.accessLayer.accounts.create(
    { username: "person", accountType: "human", roles: ["dev"], password: personPassword },
    null,
  );
  person = basic("person", personPassword);
  robot = await createSystemAccount(registry, "robot");
});
afterAll(() => registry.destroy());

/** An endpoint and a body that would be valid, so that only the caller is refused. */
interface Endpoint {
  method: string;
  path: string;
  json?: unknown;
}

const ACCOUNT_ENDPOINTS: Endpoint[] = [
  { method: "GET", path: "/v1/accounts" },
  {
    method: "POST",
    path: "/v1/accounts",
    json: { username: "intruder", account_type: "system" },
  },
  { method: "POST", path: "/v1/accounts/robot/disable" },
  { method: "POST", path: "/v1/accounts/robot/enable" },
  {
    method: "PUT",
    path: "/v1/accounts/admin/password",
    json: { password: "taken-over-password" },
  },
  { method: "GET", path: "/v1/accounts/robot/tokens" },
  { method: "POST", path: "/v1/accounts/robot/tokens", json: { description: "stolen" } },
  { method: "DELETE", path: "/v1/accounts/robot/tokens/some-id" },
];

const POLICY_ENDPOINTS: Endpoint[] = [
  { method: "GET", path: "/v1/policy/rules" },
  {
    method: "POST",
    path: "/v1/policy/rules",
    json: { priority: 1, effect: "allow", subjects: ["robot"] },
  },
  { method: "GET", path: "/v1/policy/rules/1" },
  { method: "PATCH", path: "/v1/policy/rules/1", json: { description: "changed" } },
  { method: "DELETE", path: "/v1/policy/rules/1" },
  {
    method: "POST",
    path: "/v1/policy/evaluate",
    json: { subject: "admin", action: "registry:pull", repository: "app" },
  },
];

const OTHER_ADMIN_ENDPOINTS: Endpoint[] = [
  { method: "GET", path: "/v1/audit" },
  { method: "GET", path: "/v1/gc/status" },
  { method: "POST", path: "/v1/gc", json: {} },
  { method: "POST", path: "/v1/snapshot" },
];

const ADMIN_ENDPOINTS = [...ACCOUNT_ENDPOINTS, ...POLICY_ENDPOINTS, ...OTHER_ADMIN_ENDPOINTS];

function call(endpoint: Endpoint, authorization?: string, base = registry.url) {
  return callApi(base, endpoint.method, endpoint.path, { authorization, json: endpoint.json });
}

const describeEndpoint = (endpoint: Endpoint) => `${endpoint.method} ${endpoint.path}`;

/** Asserts that every endpoint refuses the caller with `status`. */
async function expectEveryRefused(
  endpoints: Endpoint[],
  authorization: string | undefined,
  status: number,
) {
  for (const endpoint of endpoints) {
    const answer = await call(endpoint, authorization);
    expect({ endpoint: describeEndpoint(endpoint), status: answer.status }).toEqual({
      endpoint: describeEndpoint(endpoint),
      status,
    });
    expectApiError(answer, status);
  }
}

/** Nothing a refused caller tried has happened. */
async function expectNothingChanged() {
  const { accounts, policy } = registry.running.accessLayer;
  const usernames = (await accounts.list()).map((account) => account.username);
  expect(usernames).not.toContain("intruder");
  expect((await accounts.list()).every((account) => !account.disabled)).toBe(true);
  expect(policy.rules().filter((rule) => !rule.builtin)).toEqual([]);
  expect((await accounts.listTokens("robot")).length).toBe(1);
  expect(registry.running.gc.status()).toMatchObject({ state: "idle", last: null });
}

describe("credentials on /v1", () => {
  test("without credentials every admin endpoint is 401 with an error and a challenge", async () => {
    await expectEveryRefused(ADMIN_ENDPOINTS, undefined, 401);
    const answer = await call({ method: "GET", path: "/v1/accounts" });
    expect(answer.headers.get("www-authenticate")).toBe('Bearer realm="mcr"');
    await expectNothingChanged();
  });

  test("wrong, unreadable or unknown credentials are 401", async () => {
    for (const authorization of [
      basic("admin", "not-the-password"),
      basic("nobody", "not-the-password"),
      "Basic !!!not-base64",
      bearer("not-a-token"),
      "Digest username=admin",
    ]) {
      await expectEveryRefused([{ method: "GET", path: "/v1/accounts" }], authorization, 401);
    }
  });

  test("Basic credentials of an admin work on /v1", async () => {
    expectStatus(await call({ method: "GET", path: "/v1/accounts" }, registry.admin), 200);
    expectStatus(await call({ method: "GET", path: "/v1/audit" }, registry.admin), 200);
    expectStatus(await call({ method: "GET", path: "/v1/policy/rules" }, registry.admin), 200);
  });

  test("a registry token from /v2/token is refused on /v1", async () => {
    const token = await tokenFor(registry.url, ["registry:catalog:*"], registry.admin);
    const catalog = await fetch(`${registry.url}/v2/_catalog`, {
      headers: { Authorization: bearer(token) },
    });
    expect(catalog.status).toBe(200);
    const answer = await call({ method: "GET", path: "/v1/accounts" }, bearer(token));
    expectApiError(answer, 401);
  });
});

describe("who may do what", () => {
  test("a person without the admin role is 403 on every admin endpoint", async () => {
    await expectEveryRefused(ADMIN_ENDPOINTS, person, 403);
    const session = await callApi<{ token: string }>(registry.url, "POST", "/v1/auth/login", {
      json: { username: "person", password: personPassword },
    });
    expectStatus(session, 200);
    await expectEveryRefused(ADMIN_ENDPOINTS, bearer(session.body.token), 403);
    await expectNothingChanged();
  });

  test("a system account is 403 on every admin endpoint", async () => {
    await expectEveryRefused(ADMIN_ENDPOINTS, robot.authorization, 403);
    await expectEveryRefused(ADMIN_ENDPOINTS, bearer(robot.token), 403);
    await expectNothingChanged();
  });

  test("policy:manage lets a person manage the policy, and nothing else", async () => {
    const { accounts, policy } = registry.running.accessLayer;
    const id = (await accounts.list()).find((account) => account.username === "person")?.id;
    const grant = await addRule(registry, { subjects: [id ?? ""], actions: ["policy:manage"] });
    try {
      const rules = await call({ method: "GET", path: "/v1/policy/rules" }, person);
      expectStatus(rules, 200);
      const evaluation = await call(POLICY_ENDPOINTS[5] as Endpoint, person);
      expectStatus(evaluation, 200);
      await expectEveryRefused([...ACCOUNT_ENDPOINTS, ...OTHER_ADMIN_ENDPOINTS], person, 403);
    } finally {
      await policy.delete(grant.id, null);
    }
    await expectEveryRefused(POLICY_ENDPOINTS, person, 403);
  });

  test("GET /v1/health needs no credentials and accepts any", async () => {
    for (const authorization of [undefined, person, basic("admin", "wrong")]) {
      expectStatus(await call({ method: "GET", path: "/v1/health" }, authorization), 200);
    }
  });
});

describe("unknown paths", () => {
  test("an unknown /v1 path or method is 404 with a JSON error", async () => {
    for (const endpoint of [
      { method: "GET", path: "/v1/nothing-here" },
      { method: "GET", path: "/v1" },
      { method: "GET", path: "/v1/accounts/admin" },
      { method: "DELETE", path: "/v1/health" },
    ]) {
      expectApiError(await call(endpoint, registry.admin), 404);
      expectApiError(await call(endpoint), 404);
    }
  });
});

describe("an open registry (auth provider none)", () => {
  let open: TestRegistry;
  beforeAll(async () => {
    open = await startTestRegistry();
  });
  afterAll(() => open.destroy());

  test("its admin endpoints answer without credentials", async () => {
    for (const path of ["/v1/accounts", "/v1/policy/rules", "/v1/audit", "/v1/gc/status"]) {
      expectStatus(await call({ method: "GET", path }, undefined, open.url), 200);
    }
    const rule = await callApi<{ id: number }>(open.url, "POST", "/v1/policy/rules", {
      json: { priority: 1, effect: "deny", actions: ["registry:delete"], repositories: ["x/*"] },
    });
    expectStatus(rule, 201);
    const audit = await callApi<{ events: Array<{ event_type: string; actor: string }> }>(
      open.url,
      "GET",
      "/v1/audit?event_type=policy_rule_created",
    );
    expect(audit.body.events[0]?.actor).toBe("anonymous");
  });

  test("it has no login: /v1/auth/login is 404 and /v1/auth/logout 401", async () => {
    const login = await callApi(open.url, "POST", "/v1/auth/login", {
      json: { username: "admin", password: "any-password-at-all" },
    });
    expectApiError(login, 404);
    expectApiError(await callApi(open.url, "POST", "/v1/auth/logout"), 401);
    const withToken = await callApi(open.url, "POST", "/v1/auth/logout", {
      authorization: bearer("anything"),
    });
    expectApiError(withToken, 401);
  });
});

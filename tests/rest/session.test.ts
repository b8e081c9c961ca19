import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import packageJson from "../../package.json" with { type: "json" };
import {
  type AuthRegistry,
  addRule,
  basic,
  bearer,
  createSystemAccount,
  startAuthRegistry,
} from "../helpers/auth.ts";
import { rawGet as rawHttpGet } from "../helpers/raw-http.ts";
import { callApi, expectApiError, expectStatus } from "../helpers/rest-client.ts";

/** GET /v1/health, POST /v1/auth/login and POST /v1/auth/logout. */
let registry: AuthRegistry;
const alicePassword = "alice-password-1";
beforeAll(async () => {
  registry = await startAuthRegistry();
  await registry.running.accessLayer.accounts.create(
    { username: "alice", accountType: "human", roles: [], password: alicePassword },
    null,
  );
});
afterAll(() => registry.destroy());

interface LoginJson {
  token: string;
  expires_at: string;
  username: string;
  roles: string[];
}

function login(json: unknown) {
  return callApi<LoginJson>(registry.url, "POST", "/v1/auth/login", { json });
}

/** Logs in and returns the session token; fails the test unless the login succeeds. */
async function sessionOf(username: string, password: string): Promise<string> {
  const answer = await login({ username, password });
  expectStatus(answer, 200);
  return answer.body.token;
}

describe("GET /v1/health", () => {
  test("answers without credentials with the status and the version", async () => {
    const answer = await callApi<{ status: string; version: string }>(
      registry.url,
      "GET",
      "/v1/health",
    );
    expectStatus(answer, 200);
    expect(answer.body).toEqual({ status: "ok", version: packageJson.version });
  });

  test("a short Host header still routes to the admin API", async () => {
    for (const host of ["reg", "a", "a:1"]) {
      const answer = await rawGet(host, "/v1/health");
      expect(answer).toStartWith("HTTP/1.1 200");
      expect(answer).toContain('"status":"ok"');
    }
  });
});

describe("POST /v1/auth/login", () => {
  test("returns a session token, its expiry, the username and the roles", async () => {
    const before = Date.now();
    const answer = await login({ username: "admin", password: registry.adminPassword });
    expectStatus(answer, 200);
    expect(answer.body.username).toBe("admin");
    expect(answer.body.roles).toEqual(["admin"]);
    expect(answer.body.token.length).toBeGreaterThan(20);
    // The default session lifetime is 12 hours.
    const expiresAt = Date.parse(answer.body.expires_at);
    expect(expiresAt - before).toBeGreaterThan(12 * 3600_000 - 60_000);
    expect(expiresAt - before).toBeLessThan(12 * 3600_000 + 60_000);
  });

  test("a wrong password or an unknown user is 401 with an error", async () => {
    for (const json of [
      { username: "admin", password: "not-the-password" },
      { username: "nobody", password: "not-the-password" },
    ]) {
      const answer = await login(json);
      expectApiError(answer, 401);
      expect(answer.text).not.toContain("token");
    }
  });

  test("missing or mistyped fields are 400", async () => {
    for (const json of [
      {},
      { username: "admin" },
      { password: registry.adminPassword },
      { username: "", password: registry.adminPassword },
      { username: "admin", password: 12345678901234 },
      { username: ["admin"], password: registry.adminPassword },
    ]) {
      const message = expectApiError(await login(json), 400);
      expect(message).toMatch(/username|password/);
    }
  });

  test("a body that is not a JSON object is 400", async () => {
    for (const rawBody of ["{", "not json", "[]", '["admin"]', "null", "42", '"admin"']) {
      const answer = await callApi(registry.url, "POST", "/v1/auth/login", { rawBody });
      expectApiError(answer, 400);
    }
    const array = await login([{ username: "admin", password: registry.adminPassword }]);
    expect(expectApiError(array, 400)).toContain("JSON object");
  });

  test("the session token is a bearer token on /v1", async () => {
    const token = await sessionOf("admin", registry.adminPassword);
    const answer = await callApi(registry.url, "GET", "/v1/accounts", {
      authorization: bearer(token),
    });
    expectStatus(answer, 200);
  });

  test("the session token is a bearer token on /v2, where the policy decides", async () => {
    const token = await sessionOf("alice", alicePassword);
    const catalog = () =>
      fetch(`${registry.url}/v2/_catalog`, { headers: { Authorization: bearer(token) } });
    expect((await catalog()).status).toBe(200);

    const { accounts, policy } = registry.running.accessLayer;
    const alice = (await accounts.list()).find((account) => account.username === "alice");
    const deny = await addRule(registry, {
      effect: "deny",
      subjects: [alice?.id ?? ""],
      actions: ["registry:catalog"],
    });
    try {
      expect((await catalog()).status).toBe(403);
    } finally {
      await policy.delete(deny.id, null);
    }
    expect((await catalog()).status).toBe(200);
  });

  test("a login is audited as a session token issued to the user", async () => {
    await sessionOf("alice", alicePassword);
    const { events } = await registry.running.audit.query({ eventType: "token_issued" });
    expect(events[0]).toMatchObject({ actor: "alice", details: { kind: "session" } });
  });
});

describe("POST /v1/auth/logout", () => {
  test("ends the session: 204, then the token is refused on /v1 and /v2", async () => {
    const token = await sessionOf("admin", registry.adminPassword);
    const authorization = bearer(token);
    const logout = await callApi(registry.url, "POST", "/v1/auth/logout", { authorization });
    expectStatus(logout, 204);
    expect(logout.text).toBe("");

    expectApiError(await callApi(registry.url, "GET", "/v1/accounts", { authorization }), 401);
    const v2 = await fetch(`${registry.url}/v2/`, { headers: { Authorization: authorization } });
    expect(v2.status).toBe(401);
    // A second logout finds no live session.
    expectApiError(await callApi(registry.url, "POST", "/v1/auth/logout", { authorization }), 401);
  });

  test("without a session token it is 401", async () => {
    const robot = await createSystemAccount(registry, "logout-robot");
    for (const authorization of [
      undefined,
      registry.admin,
      basic("admin", "wrong-password"),
      bearer("not-a-token"),
      // An API token is not a session, even when it is valid.
      bearer(robot.token),
    ]) {
      const answer = await callApi(registry.url, "POST", "/v1/auth/logout", { authorization });
      expectApiError(answer, 401);
      expect(answer.headers.get("www-authenticate")).toStartWith("Bearer ");
    }
    // The API token was not revoked by the attempt.
    const v2 = await fetch(`${registry.url}/v2/`, {
      headers: { Authorization: bearer(robot.token) },
    });
    expect(v2.status).toBe(200);
  });
});

describe("auth.session_ttl", () => {
  test("MCR_AUTH_SESSION_TTL=60s makes sessions expire a minute after login", async () => {
    const shortLived = await startAuthRegistry({ MCR_AUTH_SESSION_TTL: "60s" });
    try {
      const before = Date.now();
      const answer = await callApi<LoginJson>(shortLived.url, "POST", "/v1/auth/login", {
        json: { username: "admin", password: shortLived.adminPassword },
      });
      expectStatus(answer, 200);
      const lifetime = Date.parse(answer.body.expires_at) - before;
      expect(lifetime).toBeGreaterThan(55_000);
      expect(lifetime).toBeLessThan(65_000);
    } finally {
      await shortLived.destroy();
    }
  });
});

/** A raw GET with the given Host header to the registry under test. */
function rawGet(host: string, path: string): Promise<string> {
  return rawHttpGet(registry.running.http.port, host, path);
}

import { afterAll, beforeAll, expect, test } from "bun:test";
import { pushBlob } from "../../helpers/oci-client.ts";
import { startTestRegistry, type TestRegistry } from "../../helpers/test-registry.ts";
import { ALICE, ROBOT, type Standin, startStandin } from "./mcias-standin.ts";

let standin: Standin;
let registry: TestRegistry;

beforeAll(async () => {
  standin = startStandin({ accounts: [ALICE, ROBOT] });
  registry = await startTestRegistry({
    env: {
      MCR_AUTH_PROVIDER: "mcias",
      MCR_MCIAS_SERVER_URL: standin.url,
      MCR_AUTH_LOGIN_MAX_FAILURES: "3",
    },
  });
});
afterAll(async () => {
  await registry.destroy();
  standin.stop();
});

const basic = (username: string, password: string) => ({
  Authorization: `Basic ${btoa(`${username}:${password}`)}`,
});

test("an MCIAS user signs in through the token endpoint and pushes", async () => {
  const tokenResponse = await fetch(
    `${registry.url}/v2/token?service=mcr&scope=repository:mcias/app:pull,push`,
    { headers: basic(ALICE.username, ALICE.password) },
  );
  expect(tokenResponse.status).toBe(200);
  const { token } = (await tokenResponse.json()) as { token: string };
  const upload = await fetch(`${registry.url}/v2/mcias/app/blobs/uploads/`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(upload.status).toBe(202);
  expect(standin.calls["/v1/auth/login"]).toBeGreaterThanOrEqual(1);
});

test("wrong MCIAS credentials are 401; the local account store is not consulted", async () => {
  const wrong = await fetch(`${registry.url}/v2/`, { headers: basic(ALICE.username, "nope") });
  expect(wrong.status).toBe(401);
  // No local admin is generated when identities live elsewhere.
  expect(await Bun.file(`${registry.dataDir}/admin-password`).exists()).toBe(false);
});

test("an MCIAS token works as a bearer token on /v2, and the policy decides", async () => {
  const adminToken = standin.issueToken(ALICE.username);
  const catalog = await fetch(`${registry.url}/v2/_catalog`, {
    headers: { Authorization: `Bearer ${adminToken}` },
  });
  expect(catalog.status).toBe(200);

  // A system account gets nothing beyond /v2/ unless a rule grants it.
  const robotToken = standin.issueToken(ROBOT.username);
  const denied = await fetch(`${registry.url}/v2/_catalog`, {
    headers: { Authorization: `Bearer ${robotToken}` },
  });
  expect(denied.status).toBe(403);
});

test("repeated wrong passwords lock a name out before MCIAS is asked again", async () => {
  // A name MCIAS does not know counts like one it knows.
  for (let i = 0; i < 3; i++) {
    const wrong = await fetch(`${registry.url}/v2/`, { headers: basic("guessed", `guess ${i}`) });
    expect(wrong.status).toBe(401);
  }
  const asked = standin.calls["/v1/auth/login"];
  const locked = await fetch(`${registry.url}/v2/token?service=mcr`, {
    headers: basic("guessed", "guess 3"),
  });
  expect(locked.status).toBe(429);
  expect(locked.headers.get("retry-after")).toBe("900");
  expect(standin.calls["/v1/auth/login"]).toBe(asked);
});

test("with the identity service down, credentials get 503, never a misleading 401", async () => {
  const alive = await pushBlob(registry.url, "mcias/open", "x").catch(() => null);
  expect(alive).toBeNull(); // no credentials: refused, as it should be
  standin.stop();
  const down = await fetch(`${registry.url}/v2/`, {
    headers: basic(ROBOT.username, ROBOT.password),
  });
  expect(down.status).toBe(503);
  const body = (await down.json()) as { errors: Array<{ code: string; message: string }> };
  expect(body.errors[0]?.message).toContain("identity service unavailable");
  const token = await fetch(`${registry.url}/v2/token?service=mcr`, {
    headers: basic(ROBOT.username, ROBOT.password),
  });
  expect(token.status).toBe(503);
});

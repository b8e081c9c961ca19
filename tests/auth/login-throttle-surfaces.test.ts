import { afterAll, beforeAll, expect, test } from "bun:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { AuthService } from "../../src/gen/mcr/v1/auth_pb.ts";
import {
  type AuthRegistry,
  basic,
  createSystemAccount,
  startAuthRegistry,
} from "../helpers/auth.ts";
import { type AuditEventJson, callApi } from "../helpers/rest-client.ts";
import { connectRpc } from "../helpers/rpc-client.ts";

/**
 * The login throttle on every surface that checks a password: /v2 with Basic credentials,
 * the token endpoint, the REST login and the RPC login. Three failures lock an account for
 * a short window here; X-Forwarded-For (from a trusted loopback proxy) gives each client an
 * address of its own.
 */
const MAX_FAILURES = 3;
const WINDOW_MS = 1500;
const PASSWORD = "the right password";

let registry: AuthRegistry;
beforeAll(async () => {
  registry = await startAuthRegistry({
    MCR_AUTH_LOGIN_MAX_FAILURES: String(MAX_FAILURES),
    MCR_AUTH_LOGIN_WINDOW: `${WINDOW_MS}ms`,
    MCR_SERVER_TRUSTED_PROXIES: "127.0.0.1",
  });
});
afterAll(() => registry.destroy());

/** How one login attempt ended: accepted, refused as wrong, or throttled. */
type Outcome = { result: "accepted" | "wrong" } | { result: "throttled"; retryAfter: string };

type Surface = (username: string, password: string, address: string) => Promise<Outcome>;

function httpOutcome(response: Response, accepted: number): Outcome {
  if (response.status === accepted) return { result: "accepted" };
  if (response.status === 401) return { result: "wrong" };
  if (response.status === 429) {
    return { result: "throttled", retryAfter: response.headers.get("retry-after") ?? "" };
  }
  throw new Error(`unexpected status ${response.status}`);
}

async function ociThrottled(response: Response, accepted: number): Promise<Outcome> {
  const outcome = httpOutcome(response, accepted);
  const body = (await response.json()) as { errors?: { code: string; message: string }[] };
  if (outcome.result === "throttled") {
    expect(body.errors?.[0]?.code).toBe("TOOMANYREQUESTS");
    expect(body.errors?.[0]?.message).toContain("too many failed logins");
  }
  return outcome;
}

const SURFACES: Record<string, Surface> = {
  "/v2 Basic": async (username, password, address) => {
    const response = await fetch(`${registry.url}/v2/`, {
      headers: { Authorization: basic(username, password), "X-Forwarded-For": address },
    });
    return ociThrottled(response, 200);
  },
  "/v2/token": async (username, password, address) => {
    const response = await fetch(`${registry.url}/v2/token?service=mcr`, {
      headers: { Authorization: basic(username, password), "X-Forwarded-For": address },
    });
    return ociThrottled(response, 200);
  },
  "/v1/auth/login": async (username, password, address) => {
    const response = await fetch(`${registry.url}/v1/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Forwarded-For": address },
      body: JSON.stringify({ username, password }),
    });
    const outcome = httpOutcome(response, 200);
    const body = (await response.json()) as { error?: string };
    if (outcome.result === "throttled") expect(body.error).toContain("too many failed logins");
    return outcome;
  },
  "RPC Login": async (username, password, address) => {
    try {
      await connectRpc(registry)(AuthService).login(
        { username, password },
        { headers: { "x-forwarded-for": address } },
      );
      return { result: "accepted" };
    } catch (error) {
      const refusal = ConnectError.from(error);
      if (refusal.code === Code.Unauthenticated) return { result: "wrong" };
      if (refusal.code === Code.ResourceExhausted) {
        expect(refusal.rawMessage).toContain("too many failed logins");
        return { result: "throttled", retryAfter: refusal.metadata.get("retry-after") ?? "" };
      }
      throw error;
    }
  },
};

let surfaceNumber = 0;
for (const [name, login] of Object.entries(SURFACES)) {
  test(`${name}: the attempt after ${MAX_FAILURES} failures is throttled, the right password too`, async () => {
    surfaceNumber++;
    const victim = `victim${surfaceNumber}`;
    const bystander = `bystander${surfaceNumber}`;
    const attacker = `192.0.2.${surfaceNumber}`;
    const elsewhere = `198.51.100.${surfaceNumber}`;
    await Promise.all(
      [victim, bystander].map((username) =>
        registry.running.accessLayer.accounts.create(
          { username, accountType: "human", roles: [], password: PASSWORD },
          null,
        ),
      ),
    );

    const guesses = Array.from({ length: MAX_FAILURES }, (_, i) =>
      login(victim, `guess ${i}`, attacker),
    );
    for (const outcome of await Promise.all(guesses)) expect(outcome).toEqual({ result: "wrong" });
    const started = Date.now();
    expect(await login(victim, "guess again", attacker)).toEqual({
      result: "throttled",
      retryAfter: "2",
    });
    // The right password is refused too, from any address, until the lockout ends.
    expect(await login(victim, PASSWORD, elsewhere)).toMatchObject({ result: "throttled" });
    // Another account from another address is not affected.
    expect(await login(bystander, PASSWORD, elsewhere)).toEqual({ result: "accepted" });

    await Bun.sleep(Math.max(0, started + WINDOW_MS + 50 - Date.now()));
    expect(await login(victim, PASSWORD, elsewhere)).toEqual({ result: "accepted" });

    // The trail names the account and the address of every failure and of the lockout.
    const events = await auditOf(victim);
    const failed = events.filter((event) => event.event_type === "login_failed");
    expect(failed).toHaveLength(MAX_FAILURES);
    for (const event of failed) expect(event.client_address).toBe(attacker);
    const [lockout] = events.filter((event) => event.event_type === "login_locked_out");
    expect(lockout).toMatchObject({
      actor: victim,
      client_address: attacker,
      details: { limit: "account", failures: MAX_FAILURES, retry_after_seconds: 2 },
    });
    expect(JSON.stringify(events)).not.toContain("guess");
  }, 20_000);
}

test("an address that fails under many names is throttled for every name", async () => {
  const address = "203.0.113.7";
  // The address limit is five times the account limit; the guesses arrive all at once.
  const guesses = Array.from({ length: MAX_FAILURES * 5 }, (_, i) =>
    SURFACES["/v2 Basic"]?.(`nobody${i}`, "guess", address),
  );
  for (const outcome of await Promise.all(guesses)) expect(outcome).toEqual({ result: "wrong" });
  expect(await SURFACES["/v2 Basic"]?.("admin", registry.adminPassword, address)).toMatchObject({
    result: "throttled",
  });
  expect(await SURFACES["/v2 Basic"]?.("admin", registry.adminPassword, "203.0.113.8")).toEqual({
    result: "accepted",
  });
  const answer = await callApi<{ events: AuditEventJson[] }>(
    registry.url,
    "GET",
    "/v1/audit?event_type=login_locked_out&limit=100",
    { authorization: registry.admin },
  );
  const lockouts = answer.body.events.filter((event) => event.client_address === address);
  expect(lockouts).toHaveLength(1);
  expect(lockouts[0]?.details).toMatchObject({ limit: "address", failures: MAX_FAILURES * 5 });
}, 20_000);

test("a right password answered from the cache still clears the name's typos", async () => {
  await registry.running.accessLayer.accounts.create(
    { username: "typist", accountType: "human", roles: [], password: PASSWORD },
    null,
  );
  const login = SURFACES["/v2/token"];
  if (!login) throw new Error("no surface");
  const address = "192.0.2.150";
  expect(await login("typist", PASSWORD, address)).toEqual({ result: "accepted" });
  for (let i = 1; i < MAX_FAILURES; i++) {
    expect(await login("typist", `typo ${i}`, address)).toEqual({ result: "wrong" });
  }
  // Verified a moment ago, so no argon2id runs: it must clear the count all the same.
  expect(await login("typist", PASSWORD, address)).toEqual({ result: "accepted" });
  for (let i = 1; i < MAX_FAILURES; i++) {
    expect(await login("typist", `typo again ${i}`, address)).toEqual({ result: "wrong" });
  }
  expect(await login("typist", PASSWORD, address)).toEqual({ result: "accepted" });
}, 20_000);

test("a robot's API token still signs it in while guesses have locked its name", async () => {
  const robot = await createSystemAccount(registry, "ci-robot");
  const guesses = Array.from({ length: MAX_FAILURES }, (_, i) =>
    SURFACES["/v2 Basic"]?.("ci-robot", `mcr_guess${i}`, "192.0.2.200"),
  );
  for (const outcome of await Promise.all(guesses)) expect(outcome).toEqual({ result: "wrong" });
  expect(await SURFACES["/v2 Basic"]?.("ci-robot", "mcr_guess", "192.0.2.201")).toMatchObject({
    result: "throttled",
  });
  // The token is no guess: it works on /v2 and at the token endpoint, from any address.
  for (const surface of ["/v2 Basic", "/v2/token"]) {
    expect(await SURFACES[surface]?.("ci-robot", robot.token, "192.0.2.200")).toEqual({
      result: "accepted",
    });
  }
  // Another account's token is no proof for this name.
  const other = await createSystemAccount(registry, "other-robot");
  expect(await SURFACES["/v2 Basic"]?.("ci-robot", other.token, "192.0.2.202")).toMatchObject({
    result: "throttled",
  });
}, 20_000);

async function auditOf(actor: string): Promise<AuditEventJson[]> {
  const answer = await callApi<{ events: AuditEventJson[] }>(
    registry.url,
    "GET",
    `/v1/audit?actor=${actor}&limit=100`,
    { authorization: registry.admin },
  );
  return answer.body.events;
}

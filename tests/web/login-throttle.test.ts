import { afterAll, beforeAll, expect, test } from "bun:test";
import type { WebHandler } from "../../src/web/app.ts";
import { type AuthRegistry, startAuthRegistry } from "../helpers/auth.ts";
import { type AuditEventJson, callApi } from "../helpers/rest-client.ts";
import { WebUser, webAppFor } from "../helpers/web-client.ts";

/**
 * The web login under the login throttle: a clear page when logins are paused, and failures
 * counted against the browser's address (forwarded by mcr web, trusted by the registry).
 */
let registry: AuthRegistry;
let app: WebHandler;
beforeAll(async () => {
  registry = await startAuthRegistry({
    MCR_AUTH_LOGIN_MAX_FAILURES: "2",
    MCR_SERVER_TRUSTED_PROXIES: "127.0.0.1",
  });
  app = webAppFor(registry);
});
afterAll(() => registry.destroy());

async function loginAttempt(user: WebUser, username: string, password: string) {
  await user.page("/login");
  return user.post("/login", { username, password });
}

test("after too many failures the login page says logins are paused, and for how long", async () => {
  const browser = new WebUser(app, "192.0.2.44");
  for (let i = 0; i < 2; i++) {
    const wrong = await loginAttempt(browser, "admin", `guess ${i}`);
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("Invalid username or password.");
  }
  // The right password is refused too while the account is locked.
  const paused = await loginAttempt(browser, "admin", registry.adminPassword);
  expect(paused.status).toBe(429);
  expect(await paused.text()).toMatch(
    /Too many failed logins\. Logging in is paused; try again in \d+ seconds\./,
  );

  // The failures were counted against the browser, not against mcr web's own address.
  const answer = await callApi<{ events: AuditEventJson[] }>(
    registry.url,
    "GET",
    "/v1/audit?event_type=login_failed&limit=10",
    { authorization: `Bearer ${await sessionOfAnotherAdmin()}` },
  );
  const addresses = answer.body.events.map((event) => event.client_address);
  expect(addresses).toEqual(["192.0.2.44", "192.0.2.44"]);
});

/** An admin other than the locked one, to read the trail with. */
async function sessionOfAnotherAdmin(): Promise<string> {
  const password = "second admin password";
  await registry.running.accessLayer.accounts.create(
    { username: "second", accountType: "human", roles: ["admin"], password },
    null,
  );
  const session = await registry.running.accessLayer.tokenStore.issue({
    kind: "session",
    identity: await registry.running.accessLayer.accounts.identityOf("second"),
    ttlSeconds: 60,
  });
  return session.secret;
}

import { afterAll, beforeAll, expect, test } from "bun:test";
import type { WebHandler } from "../../src/web/app.ts";
import { type AuthRegistry, basic, startAuthRegistry } from "../helpers/auth.ts";
import { WebUser, webAppFor } from "../helpers/web-client.ts";

let registry: AuthRegistry;
let app: WebHandler;
let user: WebUser;
beforeAll(async () => {
  registry = await startAuthRegistry();
  app = webAppFor(registry);
  user = new WebUser(app);
  await user.login("admin", registry.adminPassword);
});
afterAll(() => registry.destroy());

test("creating a human and a system account lists them", async () => {
  await user.page("/accounts");
  const human = await user.post("/accounts", {
    username: "carol",
    account_type: "human",
    roles: "developer",
    password: "carol-password-1",
  });
  expect(human.status).toBe(303);
  await user.post("/accounts", { username: "ci-bot", account_type: "system", roles: "" });
  const page = await user.page("/accounts");
  expect(page).toContain('href="/accounts/carol"');
  expect(page).toContain("developer");
  expect(page).toContain('href="/accounts/ci-bot"');
});

test("a refused account shows the API's message", async () => {
  await user.page("/accounts");
  const response = await user.post("/accounts", { username: "bad name!", account_type: "system" });
  expect(response.status).toBe(400);
  expect(await response.text()).toContain("must be 1-64 letters");
});

test("a new token's secret is shown once and works; the list never shows it", async () => {
  await user.page("/accounts/ci-bot");
  const response = await user.post("/accounts/ci-bot/tokens", {
    description: "deploys",
    ttl: "1d",
  });
  expect(response.status).toBe(200);
  const page = await response.text();
  const secret = /id="new-token">([^<]+)</.exec(page)?.[1] ?? "";
  expect(secret.length).toBeGreaterThan(20);
  expect(page).toContain("it is not shown again");

  const check = await fetch(`${registry.url}/v2/token?service=mcr`, {
    headers: { Authorization: basic("ci-bot", secret) },
  });
  expect(check.status).toBe(200);

  const later = await user.page("/accounts/ci-bot");
  expect(later).toContain("deploys");
  expect(later).not.toContain(secret);
});

test("revoking a token asks first", async () => {
  const page = await user.page("/accounts/ci-bot");
  const revoke = /href="(\/accounts\/ci-bot\/tokens\/[^"]+\/revoke)"/.exec(page)?.[1] ?? "";
  expect(await user.page(revoke)).toContain("Revoke token");
  const response = await user.post(revoke);
  expect(response.status).toBe(303);
  expect(await user.page("/accounts/ci-bot")).toContain(">revoked<");
});

test("disabling and enabling an account, and setting a password", async () => {
  await user.page("/accounts");
  expect((await user.post("/accounts/carol/disable")).status).toBe(303);
  expect(await user.page("/accounts")).toContain('action="/accounts/carol/enable"');
  await user.post("/accounts/carol/enable");
  await user.page("/accounts/carol");
  const changed = await user.post("/accounts/carol/password", { password: "carol-password-2" });
  expect(await changed.text()).toContain("Password changed.");
  const carol = new WebUser(app);
  await carol.login("carol", "carol-password-2");
});

test("account changes without the CSRF token are refused", async () => {
  const response = await user.post("/accounts", {
    username: "mallory",
    account_type: "system",
    _csrf: "wrong",
  });
  expect(response.status).toBe(403);
  expect(await user.page("/accounts")).not.toContain("mallory");
});

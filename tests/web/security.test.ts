import { afterAll, beforeAll, expect, test } from "bun:test";
import type { WebHandler } from "../../src/web/app.ts";
import { SessionStore } from "../../src/web/session-store.ts";
import { type AuthRegistry, pushImageAs, startAuthRegistry } from "../helpers/auth.ts";
import { WebUser, webAppFor } from "../helpers/web-client.ts";

let registry: AuthRegistry;
let app: WebHandler;
beforeAll(async () => {
  registry = await startAuthRegistry();
  app = webAppFor(registry);
  await registry.running.accessLayer.accounts.create(
    { username: "dave", accountType: "human", roles: ["developer"], password: "dave-password-1" },
    null,
  );
  await pushImageAs(registry.url, "team/app", "1.0", registry.admin);
});
afterAll(() => registry.destroy());

test("every answer carries the security headers, the login page and errors too", async () => {
  const user = new WebUser(app);
  for (const path of ["/login", "/no-such-page", "/assets/style.css", "/"]) {
    const response = await user.get(path);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("referrer-policy")).toBe("same-origin");
  }
});

test("pages have no inline script; HTMX and the stylesheet come from the binary", async () => {
  const user = new WebUser(app);
  await user.login("admin", registry.adminPassword);
  const page = await user.page("/repositories");
  expect(page).not.toMatch(/<script(?![^>]*\bsrc=)/);
  expect(page).not.toMatch(/\son\w+=/);
  const htmx = await user.get("/assets/htmx.min.js");
  expect(htmx.headers.get("content-type")).toContain("javascript");
  expect(await htmx.text()).toContain("htmx");
  expect((await user.get("/assets/style.css")).status).toBe(200);
});

test("neither a page nor the cookie holds the API session token", async () => {
  const sessions = new SessionStore();
  const user = new WebUser(webAppFor(registry, { sessions }));
  await user.login("admin", registry.adminPassword);
  const cookie = user.cookies.get("mcr_session") ?? "";
  const apiToken = sessions.get(cookie)?.apiToken ?? "";
  expect(apiToken.length).toBeGreaterThan(20);
  expect(cookie).not.toContain(apiToken);
  for (const path of [
    "/",
    "/repositories",
    "/policies",
    "/audit",
    "/accounts",
    "/accounts/admin",
  ]) {
    expect(await user.page(path)).not.toContain(apiToken);
  }
});

test("a non-admin sees no admin pages and is refused them", async () => {
  const user = new WebUser(app);
  await user.login("dave", "dave-password-1");
  const dashboard = await user.page("/");
  expect(dashboard).not.toContain('href="/policies"');
  expect(dashboard).not.toContain('href="/audit"');
  expect(dashboard).not.toContain('href="/accounts"');
  // Listing repositories is the admin API's too: no link may lead a non-admin to a refusal.
  expect(dashboard).not.toContain('href="/repositories"');
  expect(dashboard).toContain("shown to administrators\nonly");
  for (const path of ["/policies", "/audit", "/accounts", "/policies/test?action=x"]) {
    expect((await user.get(path)).status).toBe(403);
  }
  const form = await user.post("/policies", { effect: "allow", actions: "registry:push" });
  expect(form.status).toBe(403);
  const repositories = await user.get("/repositories");
  expect(await repositories.text()).toContain("for administrators only");
});

test("an API session revoked elsewhere signs the browser out", async () => {
  const user = new WebUser(app);
  await user.login("admin", registry.adminPassword);
  const accounts = registry.running.accessLayer.accounts;
  for (const token of await accounts.listTokens("admin")) {
    if (token.kind === "session" && token.revokedAt === null) {
      await accounts.revokeToken("admin", token.id, null);
    }
  }
  const response = await user.get("/repositories");
  expect(response.status).toBe(303);
  expect(response.headers.get("location")).toBe("/login");
  expect(user.cookies.has("mcr_session")).toBe(false);
});

test("a registry that does not answer gets a clear page, not a stack trace", async () => {
  const down = webAppFor(null, { apiUrl: "http://127.0.0.1:9" });
  const user = new WebUser(down);
  await user.page("/login");
  const response = await user.post("/login", { username: "admin", password: "x" });
  expect(response.status).toBe(503);
  expect(await response.text()).toContain("The registry is not answering");
});

test("text from the registry is escaped", async () => {
  const user = new WebUser(app);
  await user.login("admin", registry.adminPassword);
  await user.page("/policies");
  await user.post("/policies", {
    priority: "1",
    effect: "deny",
    actions: "registry:delete",
    description: '<script>alert("x")</script>',
  });
  const page = await user.page("/policies");
  expect(page).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  expect(page).not.toContain('<script>alert("x")');
});

test("an address that names no rule or has a broken escape gets a clear page", async () => {
  const user = new WebUser(app);
  await user.login("admin", registry.adminPassword);
  for (const path of ["/policies/-1/delete", "/policies/abc/delete"]) {
    const response = await user.get(path);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("rule ids are whole numbers");
  }
  const broken = await user.get("/accounts/%ZZ");
  expect(broken.status).toBe(400);
  expect(await broken.text()).toContain("malformed % escape");
  expect(broken.headers.get("x-frame-options")).toBe("DENY");
});

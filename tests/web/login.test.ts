import { afterAll, beforeAll, expect, test } from "bun:test";
import type { WebHandler } from "../../src/web/app.ts";
import { type AuthRegistry, startAuthRegistry } from "../helpers/auth.ts";
import { WebUser, webAppFor } from "../helpers/web-client.ts";

let registry: AuthRegistry;
let app: WebHandler;
beforeAll(async () => {
  registry = await startAuthRegistry();
  app = webAppFor(registry);
});
afterAll(() => registry.destroy());

test("a visitor without a session is sent to the login page", async () => {
  const response = await new WebUser(app).get("/");
  expect(response.status).toBe(303);
  expect(response.headers.get("location")).toBe("/login");
});

test("logging in sets an HttpOnly SameSite=Strict session cookie that is not the API token", async () => {
  const user = new WebUser(app);
  await user.page("/login");
  const response = await user.post("/login", {
    username: "admin",
    password: registry.adminPassword,
  });
  expect(response.status).toBe(303);
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith("mcr_session="));
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  expect(cookie).toMatch(/Max-Age=\d+/);
  expect(cookie).not.toMatch(/Secure/);
  const dashboard = await user.page("/");
  expect(dashboard).toContain("Dashboard");
  expect(dashboard).toContain("admin (admin)");
});

test("a wrong password shows a readable message", async () => {
  const user = new WebUser(app);
  await user.page("/login");
  const response = await user.post("/login", { username: "admin", password: "wrong" });
  expect(response.status).toBe(401);
  expect(await response.text()).toContain("Invalid username or password.");
});

test("a login without the form's CSRF cookie is refused", async () => {
  const user = new WebUser(app);
  const response = await user.post("/login", {
    username: "admin",
    password: registry.adminPassword,
    _csrf: "forged",
  });
  expect(response.status).toBe(403);
  expect(user.cookies.has("mcr_session")).toBe(false);
});

test("logout revokes the API session and clears the cookie", async () => {
  const accounts = registry.running.accessLayer.accounts;
  for (const token of await accounts.listTokens("admin")) {
    if (token.revokedAt === null) await accounts.revokeToken("admin", token.id, null);
  }
  const liveBefore = (await accounts.listTokens("admin")).filter(
    (token) => token.kind === "session",
  ).length;
  const user = new WebUser(app);
  await user.login("admin", registry.adminPassword);
  const response = await user.post("/logout");
  expect(response.status).toBe(303);
  expect(response.headers.get("location")).toBe("/login");
  expect(user.cookies.has("mcr_session")).toBe(false);
  const tokens = await registry.running.accessLayer.accounts.listTokens("admin");
  const sessions = tokens.filter((token) => token.kind === "session");
  expect(sessions.length).toBe(liveBefore + 1);
  expect(sessions.every((token) => token.revokedAt !== null)).toBe(true);
});

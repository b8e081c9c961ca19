import { afterAll, beforeAll, expect, test } from "bun:test";
import type { WebHandler } from "../../src/web/app.ts";
import { type AuthRegistry, pushImageAs, startAuthRegistry } from "../helpers/auth.ts";
import { WebUser, webAppFor } from "../helpers/web-client.ts";

let registry: AuthRegistry;
let app: WebHandler;
let user: WebUser;
beforeAll(async () => {
  registry = await startAuthRegistry();
  app = webAppFor(registry);
  for (let index = 0; index < 60; index += 1) {
    await pushImageAs(
      registry.url,
      index % 2 ? "odd/app" : "even/app",
      `v${index}`,
      registry.admin,
    );
  }
  user = new WebUser(app);
  await user.login("admin", registry.adminPassword);
});
afterAll(() => registry.destroy());

const rowsOf = (page: string) => page.split("<tr>").length - 2;

test("the audit log pages through events, newest first", async () => {
  const first = await user.page("/audit");
  expect(rowsOf(first)).toBe(50);
  const older = /href="(\/audit\?before=\d+)"/.exec(first)?.[1];
  expect(older).toBeDefined();
  const second = await user.page(older?.replaceAll("&amp;", "&") ?? "");
  expect(rowsOf(second)).toBeGreaterThan(0);
  expect(second).toContain("Newest events");
});

test("filters combine and stay in the next page's link", async () => {
  const page = await user.page("/audit?type=manifest_pushed&repository=odd%2Fapp");
  expect(page).toContain("odd/app");
  expect(page).not.toContain(">even/app<");
  expect(page).not.toContain("<code>repository_created</code>");
  expect(rowsOf(page)).toBe(30);
});

test("a date range filters by day, and a bad date says how to write one", async () => {
  const today = new Date().toISOString().slice(0, 10);
  expect(rowsOf(await user.page(`/audit?since=${today}&until=${today}`))).toBe(50);
  expect(await user.page("/audit?since=2001-01-01&until=2001-01-02")).toContain("No events.");
  expect(await user.page("/audit?since=yesterday")).toContain("Dates are written YYYY-MM-DD.");
});

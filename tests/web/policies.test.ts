import { afterAll, beforeAll, expect, test } from "bun:test";
import type { WebHandler } from "../../src/web/app.ts";
import { type AuthRegistry, startAuthRegistry } from "../helpers/auth.ts";
import { WebUser, webAppFor } from "../helpers/web-client.ts";

let registry: AuthRegistry;
let app: WebHandler;
let user: WebUser;
beforeAll(async () => {
  registry = await startAuthRegistry();
  app = webAppFor(registry);
  await registry.running.accessLayer.accounts.create(
    { username: "alice", accountType: "human", roles: [], password: "alice-password-1" },
    null,
  );
  user = new WebUser(app);
  await user.login("admin", registry.adminPassword);
});
afterAll(() => registry.destroy());

const newRule = {
  priority: "50",
  effect: "deny",
  subjects: "",
  account_types: "",
  roles: "",
  actions: "registry:push",
  repositories: "team/*",
  description: "nobody pushes to team",
};

/** The id of the rule with this description, read from the list page. */
async function ruleId(description: string): Promise<string> {
  const page = await user.page("/policies");
  const row = page.split("<tr").find((candidate) => candidate.includes(description));
  const id = /data-rule="(\d+)"/.exec(row ?? "")?.[1];
  if (!id) throw new Error(`no rule "${description}" in:\n${page}`);
  return id;
}

test("the list shows the built-in rules without controls", async () => {
  const page = await user.page("/policies");
  expect(page).toContain("built in");
  expect(page).toContain("Create rule");
});

test("creating a rule adds it to the list", async () => {
  await user.page("/policies");
  const response = await user.post("/policies", newRule);
  expect(response.status).toBe(303);
  const page = await user.page("/policies");
  expect(page).toContain("nobody pushes to team");
  expect(page).toContain("team/*");
});

test("an invalid rule is refused with the API's message beside the form", async () => {
  await user.page("/policies");
  const response = await user.post("/policies", { ...newRule, effect: "maybe" });
  expect(response.status).toBe(400);
  const text = await response.text();
  expect(text).toContain('class="notice error"');
  expect(text).toContain("effect must be");
});

test("a priority that is not a whole number is refused, not read as 0", async () => {
  for (const priority of ["abc", "12abc", "1.5", "99999999999", ""]) {
    await user.page("/policies");
    const response = await user.post("/policies", {
      ...newRule,
      priority,
      description: `priority ${priority}`,
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Priority must be a whole number");
  }
  expect(await user.page("/policies")).not.toContain("priority abc");
});

test("test a request names the deciding rule", async () => {
  const id = await ruleId("nobody pushes to team");
  const denied = await user.page(
    "/policies/test?subject=alice&action=registry%3Apush&repository=team%2Fweb",
  );
  expect(denied).toContain("Denied");
  expect(denied).toContain(`Deciding rule: <strong>rule ${id}</strong>`);
  const allowed = await user.page(
    "/policies/test?subject=alice&action=registry%3Apull&repository=team%2Fweb",
  );
  expect(allowed).toContain("Allowed");
});

test("disabling with HTMX answers the swapped row; a plain post redirects", async () => {
  const id = await ruleId("nobody pushes to team");
  const htmx = await user.post(`/policies/${id}/disable`, {}, { "hx-request": "true" });
  expect(htmx.status).toBe(200);
  const row = await htmx.text();
  expect(row.startsWith(`<tr id="rule-${id}"`)).toBe(true);
  expect(row).toContain(">disabled<");
  expect(row).toContain(`/policies/${id}/enable`);

  const plain = await user.post(`/policies/${id}/enable`);
  expect(plain.status).toBe(303);
  expect(await user.page("/policies")).toContain(`hx-post="/policies/${id}/disable"`);
});

test("a toggle without the CSRF token changes nothing, HTMX or not", async () => {
  const id = await ruleId("nobody pushes to team");
  for (const headers of [{}, { "hx-request": "true" }] as Record<string, string>[]) {
    const response = await user.post(`/policies/${id}/disable`, { _csrf: "" }, headers);
    expect(response.status).toBe(403);
  }
  const withHeader = await user.post(
    `/policies/${id}/disable`,
    { _csrf: "" },
    { "hx-request": "true", "x-csrf-token": user.csrf },
  );
  expect(withHeader.status).toBe(200);
  await user.post(`/policies/${id}/enable`);
});

test("deleting a rule asks first", async () => {
  const id = await ruleId("nobody pushes to team");
  const confirm = await user.page(`/policies/${id}/delete`);
  expect(confirm).toContain(`Delete rule ${id}`);
  expect(confirm).toContain(`action="/policies/${id}/delete"`);
  const response = await user.post(`/policies/${id}/delete`);
  expect(response.status).toBe(303);
  expect(await user.page("/policies")).not.toContain("nobody pushes to team");
});

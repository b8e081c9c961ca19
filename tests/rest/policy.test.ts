import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PolicyService } from "../../src/gen/mcr/v1/policy_pb.ts";
import {
  type AuthRegistry,
  createSystemAccount,
  pushBlobAs,
  pushImageAs,
  startAuthRegistry,
} from "../helpers/auth.ts";
import {
  type ApiRequestOptions,
  callApi,
  expectApiError,
  expectStatus,
  type RuleJson,
} from "../helpers/rest-client.ts";
import { connectRpc } from "../helpers/rpc-client.ts";

/** /v1/policy: the rules, their changes, and the evaluator, as an admin uses them. */
let registry: AuthRegistry;
beforeAll(async () => {
  registry = await startAuthRegistry();
});
afterAll(() => registry.destroy());

function asAdmin<T>(method: string, path: string, options: ApiRequestOptions = {}) {
  return callApi<T>(registry.url, method, path, { authorization: registry.admin, ...options });
}

function createRule(json: unknown) {
  return asAdmin<RuleJson>("POST", "/v1/policy/rules", { json });
}

/**
 * Creates a rule and returns it; fails the test unless the answer is 201. Unless told
 * otherwise it concerns one unknown subject, so that it changes no other test's access.
 */
async function created(json: Record<string, unknown>): Promise<RuleJson> {
  const defaults = { priority: 100, effect: "allow", subjects: ["no-such-account"] };
  const answer = await createRule({ ...defaults, ...json });
  expectStatus(answer, 201);
  return answer.body;
}

const listRules = () => asAdmin<{ rules: RuleJson[] }>("GET", "/v1/policy/rules");

describe("GET /v1/policy/rules", () => {
  test("shows the built-in rules, marked builtin, with negative ids", async () => {
    const answer = await listRules();
    expectStatus(answer, 200);
    const builtins = answer.body.rules.filter((rule) => rule.builtin);
    expect(builtins.map((rule) => rule.id).sort((a, b) => a - b)).toEqual([-3, -2, -1]);
    expect(builtins.find((rule) => rule.id === -1)).toMatchObject({
      effect: "allow",
      roles: ["admin"],
      actions: [],
      enabled: true,
    });
  });
});

describe("POST /v1/policy/rules", () => {
  test("creates a rule with defaults for the fields not given", async () => {
    const answer = await createRule({
      priority: 50,
      effect: "deny",
      actions: ["registry:delete"],
      repositories: ["prod/**"],
    });
    expectStatus(answer, 201);
    expect(answer.body).toEqual({
      id: expect.any(Number),
      priority: 50,
      effect: "deny",
      subjects: [],
      account_types: [],
      roles: [],
      actions: ["registry:delete"],
      repositories: ["prod/**"],
      description: "",
      enabled: true,
      builtin: false,
    });
    expect(answer.body.id).toBeGreaterThan(0);

    const listed = await listRules();
    expect(listed.body.rules).toContainEqual(answer.body);
    const fetched = await asAdmin<RuleJson>("GET", `/v1/policy/rules/${answer.body.id}`);
    expectStatus(fetched, 200);
    expect(fetched.body).toEqual(answer.body);
  });

  test("invalid input is 400 with a message saying what is wrong", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ effect: "allow" }, "priority"],
      [{ priority: "10", effect: "allow" }, "priority"],
      [{ priority: 1.5, effect: "allow" }, "priority"],
      [{ priority: 10 }, "effect"],
      [{ priority: 10, effect: "maybe" }, "effect"],
      [{ priority: 10, effect: "allow", actions: ["registry:fly"] }, "registry:fly"],
      [{ priority: 10, effect: "allow", actions: "registry:pull" }, "actions"],
      [{ priority: 10, effect: "allow", repositories: ["Team/App"] }, "Team/App"],
      [{ priority: 10, effect: "allow", repositories: ["team/***"] }, "team/***"],
      [{ priority: 10, effect: "allow", repositories: [""] }, "empty"],
      [{ priority: 10, effect: "allow", account_types: ["robot"] }, "robot"],
      [{ priority: 10, effect: "allow", subjects: [42] }, "subjects"],
      [{ priority: 10, effect: "allow", roles: "admin" }, "roles"],
      [{ priority: 10, effect: "allow", enabled: "yes" }, "enabled"],
      [{ priority: 10, effect: "allow", description: 5 }, "description"],
    ];
    const before = (await listRules()).body.rules.length;
    for (const [json, mentioned] of cases) {
      expect(expectApiError(await createRule(json), 400)).toContain(mentioned);
    }
    for (const rawBody of ["{", "[]", '"rule"']) {
      expectApiError(await asAdmin("POST", "/v1/policy/rules", { rawBody }), 400);
    }
    expect((await listRules()).body.rules.length).toBe(before);
  });
});

describe("GET, PATCH and DELETE /v1/policy/rules/:id", () => {
  test("PATCH changes only the fields given", async () => {
    const rule = await created({
      description: "before",
      roles: ["dev"],
      actions: ["registry:pull"],
      repositories: ["dev/**"],
    });
    const path = `/v1/policy/rules/${rule.id}`;
    const patched = await asAdmin<RuleJson>("PATCH", path, {
      json: { description: "after", priority: 7 },
    });
    expectStatus(patched, 200);
    expect(patched.body).toEqual({ ...rule, description: "after", priority: 7 });
    expect((await asAdmin<RuleJson>("GET", path)).body).toEqual(patched.body);

    const emptied = await asAdmin<RuleJson>("PATCH", path, { json: { roles: [] } });
    expect(emptied.body).toEqual({ ...patched.body, roles: [] });
  });

  test("PATCH with enabled false and true switches a rule off and on", async () => {
    const rule = await created({ description: "switchable" });
    const path = `/v1/policy/rules/${rule.id}`;
    const off = await asAdmin<RuleJson>("PATCH", path, { json: { enabled: false } });
    expect(off.body.enabled).toBe(false);
    const on = await asAdmin<RuleJson>("PATCH", path, { json: { enabled: true } });
    expect(on.body).toEqual(rule);
  });

  test("PATCH with invalid input is 400 and leaves the rule as it was", async () => {
    const rule = await created({ actions: ["registry:pull"] });
    const path = `/v1/policy/rules/${rule.id}`;
    for (const json of [
      { effect: "maybe" },
      { priority: "1" },
      { actions: ["registry:fly"] },
      { repositories: ["a/***"] },
      { enabled: 1 },
    ]) {
      expectApiError(await asAdmin("PATCH", path, { json }), 400);
    }
    expectApiError(await asAdmin("PATCH", path, { rawBody: "{" }), 400);
    expect((await asAdmin<RuleJson>("GET", path)).body).toEqual(rule);
  });

  test("DELETE removes a rule: 204, then it is not found", async () => {
    const rule = await created({ description: "doomed" });
    const path = `/v1/policy/rules/${rule.id}`;
    const deleted = await asAdmin("DELETE", path);
    expectStatus(deleted, 204);
    expect(deleted.text).toBe("");
    expectApiError(await asAdmin("GET", path), 404);
    expectApiError(await asAdmin("DELETE", path), 404);
    expect((await listRules()).body.rules.map((entry) => entry.id)).not.toContain(rule.id);
  });

  test("built-in rules cannot be changed or deleted: 403", async () => {
    for (const id of [-1, -2, -3]) {
      const path = `/v1/policy/rules/${id}`;
      expectApiError(await asAdmin("PATCH", path, { json: { enabled: false } }), 403);
      expectApiError(await asAdmin("DELETE", path), 403);
    }
    const builtins = (await listRules()).body.rules.filter((rule) => rule.builtin);
    expect(builtins.every((rule) => rule.enabled)).toBe(true);
    expect(builtins).toHaveLength(3);
  });

  test("an unknown id is 404", async () => {
    for (const id of ["999999", "0", "-99", "abc", "1.5"]) {
      const path = `/v1/policy/rules/${id}`;
      expectApiError(await asAdmin("GET", path), 404);
      expectApiError(await asAdmin("PATCH", path, { json: { description: "x" } }), 404);
      expectApiError(await asAdmin("DELETE", path), 404);
    }
  });
});

describe("POST /v1/policy/evaluate", () => {
  interface EvaluationJson {
    allowed: boolean;
    reason: string;
    rule: RuleJson | null;
    applicable: RuleJson[];
  }

  function evaluate(json: unknown) {
    return asAdmin<EvaluationJson>("POST", "/v1/policy/evaluate", { json });
  }

  test("an admin, named by username or by id, may push anywhere by the built-in rule", async () => {
    const accounts = await registry.running.accessLayer.accounts.list();
    const adminId = accounts.find((account) => account.username === "admin")?.id;
    for (const subject of ["admin", adminId]) {
      const answer = await evaluate({ subject, action: "registry:push", repository: "any/repo" });
      expectStatus(answer, 200);
      expect(answer.body.allowed).toBe(true);
      expect(answer.body.reason).toBeString();
      expect(answer.body.rule?.builtin).toBe(true);
      expect(answer.body.applicable.map((rule) => rule.id)).toContain(-1);
    }
  });

  test("anonymous, or no subject at all, is denied by default", async () => {
    for (const subject of ["anonymous", undefined]) {
      const answer = await evaluate({ subject, action: "registry:pull", repository: "app" });
      expectStatus(answer, 200);
      expect(answer.body).toMatchObject({ allowed: false, rule: null, applicable: [] });
      expect(answer.body.reason).toBeString();
    }
  });

  test("a deny rule names itself as the reason", async () => {
    const deny = await created({
      subjects: [],
      effect: "deny",
      actions: ["registry:delete"],
      repositories: ["locked/**"],
      description: "nothing is deleted from locked",
    });
    const answer = await evaluate({
      subject: "admin",
      action: "registry:delete",
      repository: "locked/app",
    });
    expect(answer.body.allowed).toBe(false);
    expect(answer.body.rule).toEqual(deny);
    expect(answer.body.applicable.map((rule) => rule.id)).toEqual(
      expect.arrayContaining([-1, deny.id]),
    );
    const elsewhere = await evaluate({
      subject: "admin",
      action: "registry:delete",
      repository: "free/app",
    });
    expect(elsewhere.body.allowed).toBe(true);
  });

  test("bad input is 400; an unknown subject is 404", async () => {
    const missingAction = await evaluate({ subject: "admin", repository: "app" });
    expect(expectApiError(missingAction, 400)).toContain("action");
    expect(expectApiError(await evaluate({ subject: 7, action: "registry:pull" }), 400)).toContain(
      "subject",
    );
    expectApiError(await asAdmin("POST", "/v1/policy/evaluate", { rawBody: "[]" }), 400);
    const unknown = await evaluate({ subject: "nobody", action: "registry:pull", repository: "a" });
    expectApiError(unknown, 404);
  });
});

describe("rules change /v2 access", () => {
  test("allowing a system account to push on ci/** lets it push there with Basic", async () => {
    const robot = await createSystemAccount(registry, "ci-pusher");
    const denied = await pushBlobAs(registry.url, "ci/app", "before the rule", robot.authorization);
    expect(denied.response.status).toBe(403);

    const rule = await created({
      subjects: [robot.account.id],
      actions: ["registry:pull", "registry:push"],
      repositories: ["ci/**"],
      description: "CI pushes its images",
    });
    const evaluation = await asAdmin<{ allowed: boolean }>("POST", "/v1/policy/evaluate", {
      json: { subject: "ci-pusher", action: "registry:push", repository: "ci/app" },
    });
    expect(evaluation.body.allowed).toBe(true);
    await pushImageAs(registry.url, "ci/app", "v1", robot.authorization);
    const outside = await pushBlobAs(registry.url, "web/app", "outside", robot.authorization);
    expect(outside.response.status).toBe(403);

    // Switched off, then deleted: the access goes with the rule.
    const path = `/v1/policy/rules/${rule.id}`;
    expectStatus(await asAdmin("PATCH", path, { json: { enabled: false } }), 200);
    const disabled = await pushBlobAs(registry.url, "ci/app", "disabled", robot.authorization);
    expect(disabled.response.status).toBe(403);
    expectStatus(await asAdmin("PATCH", path, { json: { enabled: true } }), 200);
    const again = await pushBlobAs(registry.url, "ci/app", "enabled", robot.authorization);
    expect(again.response.status).toBe(201);
    expectStatus(await asAdmin("DELETE", path), 204);
    const gone = await pushBlobAs(registry.url, "ci/app", "after the rule", robot.authorization);
    expect(gone.response.status).toBe(403);
  });
});

describe("fixes from the first test pass", () => {
  test("POST /:id/enable and /:id/disable switch a rule", async () => {
    const rule = await created({ actions: ["registry:pull"] });
    const disabled = await asAdmin<RuleJson>("POST", `/v1/policy/rules/${rule.id}/disable`);
    expectStatus(disabled, 200);
    expect(disabled.body.enabled).toBe(false);
    const enabled = await asAdmin<RuleJson>("POST", `/v1/policy/rules/${rule.id}/enable`);
    expect(enabled.body.enabled).toBe(true);
    expectApiError(await asAdmin("POST", "/v1/policy/rules/-1/disable"), 403);
  });

  test("a built-in rule can be read one at a time", async () => {
    const answer = await asAdmin<RuleJson>("GET", "/v1/policy/rules/-1");
    expectStatus(answer, 200);
    expect(answer.body.builtin).toBe(true);
  });

  test("evaluate refuses an unknown action or an invalid repository name", async () => {
    const json = { subject: "admin", action: "registry:fly", repository: "a" };
    expect(expectApiError(await asAdmin("POST", "/v1/policy/evaluate", { json }), 400)).toContain(
      "registry:fly",
    );
    const badName = { subject: "admin", action: "registry:pull", repository: "Bad Name!" };
    expectApiError(await asAdmin("POST", "/v1/policy/evaluate", { json: badName }), 400);
  });

  test("PATCH with a null field is refused rather than ignored", async () => {
    const rule = await created({ actions: ["registry:pull"] });
    const json = { effect: null };
    expectApiError(await asAdmin("PATCH", `/v1/policy/rules/${rule.id}`, { json }), 400);
  });
});

describe("fixes from the break test", () => {
  test("a priority outside int32 is refused, so RPC can still list every rule", async () => {
    for (const priority of [1e11, 2 ** 31, -(2 ** 31) - 1]) {
      const message = expectApiError(await createRule({ priority, effect: "allow" }), 400);
      expect(message).toContain("priority must be a whole number from -2147483648 to 2147483647");
    }
    const rule = await created({ priority: 2 ** 31 - 1 });
    const patch = { json: { priority: 1e11 } };
    expectApiError(await asAdmin("PATCH", `/v1/policy/rules/${rule.id}`, patch), 400);

    const { rules } = await connectRpc(registry)(PolicyService, registry.admin).listRules({});
    expect(rules.find((listed) => Number(listed.id) === rule.id)?.priority).toBe(2 ** 31 - 1);
  });
});

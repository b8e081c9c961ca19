import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { type Client, Code } from "@connectrpc/connect";
import { AccountService } from "../../src/gen/mcr/v1/accounts_pb.ts";
import { PolicyService, type Rule, type RuleSchema } from "../../src/gen/mcr/v1/policy_pb.ts";
import { type AuthRegistry, basic, bearer, startAuthRegistry } from "../helpers/auth.ts";
import {
  accountWithToken,
  connectRpc,
  expectEveryMethodRefused,
  expectRpcError,
  type RpcConnector,
  rpcUrl,
} from "../helpers/rpc-client.ts";

/** mcr.v1.PolicyService over native gRPC: rules, AIP-134 updates, and the evaluator. */
let registry: AuthRegistry;
let rpc: RpcConnector;
let policy: Client<typeof PolicyService>;
beforeAll(async () => {
  registry = await startAuthRegistry();
  rpc = connectRpc(registry);
  policy = rpc(PolicyService, registry.admin);
});
afterAll(() => registry.destroy());

type RuleInit = MessageInitShape<typeof RuleSchema>;

/** Creates a rule; unless told otherwise it concerns an unknown subject and so no other test. */
async function created(fields: RuleInit = {}): Promise<Rule> {
  const { rule } = await policy.createRule({
    rule: { priority: 100, effect: "allow", subjects: ["no-such-account"], ...fields },
  });
  if (!rule) throw new Error("CreateRule answered without a rule");
  return rule;
}

async function stored(id: bigint): Promise<Rule | undefined> {
  return (await policy.getRule({ id })).rule;
}

const ruleCount = async () => (await policy.listRules({})).rules.length;

describe("ListRules and GetRule", () => {
  test("list the three built-in rules, with negative ids, and the stored ones", async () => {
    const rule = await created({ description: "listed" });
    const { rules } = await policy.listRules({});
    const builtins = rules.filter((entry) => entry.builtin);
    expect(builtins.map((entry) => Number(entry.id)).sort()).toEqual([-1, -2, -3]);
    expect(builtins.every((entry) => entry.enabled)).toBe(true);
    expect(rules).toContainEqual(rule);
  });

  test("GetRule reads a built-in or a stored rule; an unknown id is NotFound", async () => {
    expect(await stored(-1n)).toMatchObject({ builtin: true, roles: ["admin"] });
    const rule = await created({ description: "fetched" });
    expect(await stored(rule.id)).toEqual(rule);
    for (const id of [999_999n, 0n, -99n]) {
      const message = await expectRpcError(policy.getRule({ id }), Code.NotFound);
      expect(message).toContain(String(id));
    }
  });
});

describe("CreateRule", () => {
  test("stores every field; a rule is enabled unless told otherwise", async () => {
    const rule = await created({
      priority: 50,
      effect: "deny",
      subjects: [],
      accountTypes: ["system"],
      roles: ["ci"],
      actions: ["registry:delete"],
      repositories: ["prod/**"],
      description: "no deletes in prod",
    });
    expect(rule).toMatchObject({ priority: 50, effect: "deny", enabled: true, builtin: false });
    expect(rule.id).toBeGreaterThan(0n);
    expect(rule.repositories).toEqual(["prod/**"]);
    expect(await stored(rule.id)).toEqual(rule);
    expect((await created({ enabled: false })).enabled).toBe(false);
  });

  test("invalid fields are InvalidArgument naming the problem, and store nothing", async () => {
    const before = await ruleCount();
    const cases: Array<[RuleInit | undefined, string]> = [
      [undefined, "effect"],
      [{ priority: 1, effect: "maybe" }, "effect"],
      [{ priority: 1, effect: "allow", actions: ["registry:fly"] }, "registry:fly"],
      [{ priority: 1, effect: "allow", repositories: ["Team/App"] }, "Team/App"],
      [{ priority: 1, effect: "allow", repositories: ["team/***"] }, "team/***"],
      [{ priority: 1, effect: "allow", accountTypes: ["robot"] }, "robot"],
    ];
    for (const [rule, mentioned] of cases) {
      const call = policy.createRule({ rule });
      expect(await expectRpcError(call, Code.InvalidArgument)).toContain(mentioned);
    }
    expect(await ruleCount()).toBe(before);
  });
});

describe("UpdateRule (AIP-134)", () => {
  const base: RuleInit = {
    description: "before",
    roles: ["dev"],
    actions: ["registry:pull"],
    repositories: ["dev/**"],
  };

  test("without an update mask only the populated fields change", async () => {
    const rule = await created(base);
    const { rule: updated } = await policy.updateRule({
      id: rule.id,
      rule: { description: "after", priority: 7 },
    });
    expect(updated).toEqual({ ...rule, description: "after", priority: 7 });
    // Empty lists and zeros are "not populated" in proto3: they change nothing.
    const { rule: same } = await policy.updateRule({ id: rule.id, rule: { roles: [] } });
    expect(same).toEqual(updated);
    expect(await stored(rule.id)).toEqual(updated);
  });

  test("with an update mask the named fields change, even to empty or zero", async () => {
    const rule = await created(base);
    const { rule: updated } = await policy.updateRule({
      id: rule.id,
      rule: {},
      updateMask: { paths: ["roles", "description", "priority"] },
    });
    expect(updated).toEqual({ ...rule, roles: [], description: "", priority: 0 });
    expect(await stored(rule.id)).toEqual(updated);
  });

  test("with an update mask, fields that are set but not named are left alone", async () => {
    const rule = await created(base);
    const { rule: updated } = await policy.updateRule({
      id: rule.id,
      rule: { priority: 99, description: "ignored", roles: ["ops"], enabled: false },
      updateMask: { paths: ["roles", "account_types"] },
    });
    expect(updated).toEqual({ ...rule, roles: ["ops"], accountTypes: [] });
  });

  test("an unknown mask path is InvalidArgument naming it, and changes nothing", async () => {
    const rule = await created(base);
    for (const paths of [["bogus"], ["id"], ["builtin"], ["priority", "accountTypes"]]) {
      const call = policy.updateRule({ id: rule.id, rule: { priority: 1 }, updateMask: { paths } });
      expect(await expectRpcError(call, Code.InvalidArgument)).toContain(`"${paths.at(-1)}"`);
    }
    expect(await stored(rule.id)).toEqual(rule);
  });

  test("invalid values are InvalidArgument and change nothing", async () => {
    const rule = await created(base);
    const effect = policy.updateRule({ id: rule.id, rule: {}, updateMask: { paths: ["effect"] } });
    expect(await expectRpcError(effect, Code.InvalidArgument)).toContain("effect");
    const action = policy.updateRule({ id: rule.id, rule: { actions: ["registry:fly"] } });
    expect(await expectRpcError(action, Code.InvalidArgument)).toContain("registry:fly");
    expect(await stored(rule.id)).toEqual(rule);
    const unknown = policy.updateRule({ id: 999_999n, rule: { description: "x" } });
    await expectRpcError(unknown, Code.NotFound);
  });

  test("Connect JSON takes the mask as lowerCamelCase paths, as curl sends it", async () => {
    const rule = await created(base);
    const response = await fetch(`${rpcUrl(registry)}/mcr.v1.PolicyService/UpdateRule`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: registry.admin },
      body: JSON.stringify({
        id: String(rule.id),
        rule: { accountTypes: ["human"], description: "ignored" },
        updateMask: "accountTypes,roles",
      }),
    });
    expect(response.status).toBe(200);
    const { rule: updated } = (await response.json()) as { rule: Record<string, unknown> };
    expect(updated).toMatchObject({ accountTypes: ["human"], description: "before" });
    expect(updated.roles).toBeUndefined();
  });
});

test("built-in rules cannot be changed, switched or deleted: PermissionDenied", async () => {
  for (const id of [-1n, -2n, -3n]) {
    for (const call of [
      policy.updateRule({ id, rule: { description: "mine now" } }),
      policy.updateRule({ id, rule: {}, updateMask: { paths: ["enabled"] } }),
      policy.disableRule({ id }),
      policy.enableRule({ id }),
      policy.deleteRule({ id }),
    ]) {
      expect(await expectRpcError(call, Code.PermissionDenied)).toContain("built in");
    }
  }
  const builtins = (await policy.listRules({})).rules.filter((rule) => rule.builtin);
  expect(builtins.map((rule) => rule.enabled)).toEqual([true, true, true]);
  expect(builtins.map((rule) => rule.description)).not.toContain("mine now");
});

describe("EnableRule, DisableRule and DeleteRule", () => {
  test("DisableRule and EnableRule switch a rule and answer with it", async () => {
    const rule = await created({ description: "switchable" });
    const { rule: off } = await policy.disableRule({ id: rule.id });
    expect(off).toEqual({ ...rule, enabled: false });
    expect((await stored(rule.id))?.enabled).toBe(false);
    const { rule: on } = await policy.enableRule({ id: rule.id });
    expect(on).toEqual(rule);
  });

  test("DeleteRule removes a rule, which is then NotFound everywhere", async () => {
    const rule = await created({ description: "doomed" });
    await policy.deleteRule({ id: rule.id });
    expect((await policy.listRules({})).rules.map((entry) => entry.id)).not.toContain(rule.id);
    for (const call of [
      policy.getRule({ id: rule.id }),
      policy.deleteRule({ id: rule.id }),
      policy.enableRule({ id: rule.id }),
      policy.disableRule({ id: rule.id }),
    ]) {
      expect(await expectRpcError(call, Code.NotFound)).toContain(String(rule.id));
    }
  });
});

describe("Evaluate", () => {
  test("an admin may push anywhere, by the built-in rules", async () => {
    const answer = await policy.evaluate({
      subject: "admin",
      action: "registry:push",
      repository: "any/repo",
    });
    expect(answer).toMatchObject({ allowed: true, rule: { builtin: true } });
    expect(answer.reason).toContain(`allowed by rule ${answer.rule?.id}`);
    // The admin is a person: "admins may do everything" and "people may push" both apply.
    expect(answer.applicable.map((rule) => rule.id)).toEqual([-2n, -1n]);
  });

  test("anonymous, or no subject at all, is denied by default", async () => {
    for (const subject of ["anonymous", ""]) {
      const answer = await policy.evaluate({ subject, action: "registry:pull", repository: "a" });
      expect(answer).toMatchObject({ allowed: false, applicable: [] });
      expect(answer.rule).toBeUndefined();
      expect(answer.reason).toContain("default deny");
    }
  });

  test("a deny decides whatever its priority; lower priorities are considered first", async () => {
    const scope = { subjects: [], actions: ["registry:delete"], repositories: ["locked/**"] };
    const deny = await created({ ...scope, priority: 500, effect: "deny" });
    const allow = await created({ ...scope, priority: -10, effect: "allow" });
    const question = { subject: "admin", action: "registry:delete", repository: "locked/app" };
    const answer = await policy.evaluate(question);
    expect(answer).toMatchObject({ allowed: false, rule: deny });
    expect(answer.reason).toContain(`denied by rule ${deny.id}`);
    // The README says "lower first"; the comment in policy.proto says the opposite.
    expect(answer.applicable.map((rule) => rule.id)).toEqual([allow.id, -2n, -1n, deny.id]);
    const elsewhere = await policy.evaluate({ ...question, repository: "free/app" });
    expect(elsewhere.allowed).toBe(true);
    await policy.deleteRule({ id: deny.id });
    await policy.deleteRule({ id: allow.id });
  });

  test("an unknown action or a bad repository is InvalidArgument; an unknown subject NotFound", async () => {
    const action = policy.evaluate({ subject: "admin", action: "registry:fly" });
    expect(await expectRpcError(action, Code.InvalidArgument)).toContain("registry:fly");
    const empty = policy.evaluate({ subject: "admin" });
    expect(await expectRpcError(empty, Code.InvalidArgument)).toContain("action");
    const name = policy.evaluate({ subject: "admin", action: "registry:pull", repository: "A B" });
    expect(await expectRpcError(name, Code.InvalidArgument)).toContain("A B");
    const nobody = policy.evaluate({ subject: "nobody", action: "registry:pull" });
    expect(await expectRpcError(nobody, Code.NotFound)).toContain("nobody");
  });
});

describe("who may call", () => {
  let target: Rule;
  const requests = () => ({
    listRules: {},
    getRule: { id: target.id },
    createRule: { rule: { priority: 1, effect: "allow", description: "intruder" } },
    updateRule: { id: target.id, rule: { description: "changed" } },
    enableRule: { id: target.id },
    disableRule: { id: target.id },
    deleteRule: { id: target.id },
    evaluate: { subject: "admin", action: "registry:pull", repository: "app" },
  });

  beforeAll(async () => {
    target = await created({ description: "target" });
  });

  async function expectNothingChanged() {
    expect(await stored(target.id)).toEqual(target);
    const descriptions = (await policy.listRules({})).rules.map((rule) => rule.description);
    expect(descriptions).not.toContain("intruder");
  }

  test("without credentials, or with bad ones, every method is Unauthenticated", async () => {
    for (const authorization of [undefined, bearer("not-a-token"), basic("admin", "wrong-pw")]) {
      await expectEveryMethodRefused(
        rpc,
        PolicyService,
        requests(),
        authorization,
        Code.Unauthenticated,
      );
    }
    await expectNothingChanged();
  });

  test("without policy:manage every method is PermissionDenied, saying why", async () => {
    const robot = await accountWithToken(rpc, registry.admin, { username: "policy-robot" });
    await expectEveryMethodRefused(
      rpc,
      PolicyService,
      requests(),
      robot.authorization,
      Code.PermissionDenied,
    );
    const message = await expectRpcError(
      rpc(PolicyService, robot.authorization).listRules({}),
      Code.PermissionDenied,
    );
    expect(message).toContain("policy-robot may not policy:manage");
    await expectNothingChanged();
  });

  test("policy:manage granted by a rule opens PolicyService, not the admin services", async () => {
    const robot = await accountWithToken(rpc, registry.admin, { username: "policy-manager" });
    const grant = await created({ subjects: [robot.id], actions: ["policy:manage"] });
    const asRobot = rpc(PolicyService, robot.authorization);
    expect((await asRobot.getRule({ id: grant.id })).rule).toEqual(grant);
    const accounts = rpc(AccountService, robot.authorization).listAccounts({});
    await expectRpcError(accounts, Code.PermissionDenied);

    await policy.disableRule({ id: grant.id });
    await expectRpcError(asRobot.listRules({}), Code.PermissionDenied);
  });
});

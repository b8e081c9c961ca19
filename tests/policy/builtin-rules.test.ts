import { describe, expect, test } from "bun:test";
import type { Identity, Principal } from "../../src/auth/identity.ts";
import { BUILTIN_RULES } from "../../src/policy/builtin-rules.ts";
import { evaluatePolicy } from "../../src/policy/engine.ts";
import { POLICY_ACTIONS, type PolicyAction } from "../../src/policy/rule.ts";
import { alice, robot, root } from "../helpers/policy-fixtures.ts";

/** What the built-in rules alone allow each kind of principal, on any repository. */
const TABLE: Array<{ who: string; principal: Principal; allowed: readonly PolicyAction[] }> = [
  { who: "an admin", principal: root, allowed: POLICY_ACTIONS },
  {
    who: "a person",
    principal: alice,
    allowed: [
      "registry:version_check",
      "registry:pull",
      "registry:push",
      "registry:delete",
      "registry:catalog",
    ],
  },
  { who: "a system account", principal: robot, allowed: ["registry:version_check"] },
  { who: "anonymous", principal: null, allowed: [] },
];

const GLOBAL = new Set<PolicyAction>([
  "registry:version_check",
  "registry:catalog",
  "policy:manage",
]);

describe("built-in rules", () => {
  for (const { who, principal, allowed } of TABLE) {
    for (const action of POLICY_ACTIONS) {
      const expected = allowed.includes(action);
      test(`${who} ${expected ? "may" : "may not"} ${action}`, () => {
        const repository = GLOBAL.has(action) ? null : "any/repository";
        const decision = evaluatePolicy(BUILTIN_RULES, { principal, action, repository });
        expect(decision.allowed).toBe(expected);
        if (expected) expect(decision.rule?.builtin).toBe(true);
      });
    }
  }

  test("a system account with the admin role may do everything", () => {
    const adminRobot: Identity = { ...robot, roles: ["admin"] };
    for (const action of POLICY_ACTIONS) {
      const decision = evaluatePolicy(BUILTIN_RULES, {
        principal: adminRobot,
        action,
        repository: "x/y",
      });
      expect(decision.allowed).toBe(true);
    }
  });

  test("built-in rules have negative ids, are enabled and marked built in", () => {
    for (const builtin of BUILTIN_RULES) {
      expect(builtin).toMatchObject({ builtin: true, enabled: true });
      expect(builtin.id).toBeLessThan(0);
    }
  });
});

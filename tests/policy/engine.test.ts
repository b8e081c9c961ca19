import { describe, expect, test } from "bun:test";
import type { Principal } from "../../src/auth/identity.ts";
import { BUILTIN_RULES } from "../../src/policy/builtin-rules.ts";
import { evaluatePolicy, explainPolicy } from "../../src/policy/engine.ts";
import { GLOBAL_ACTIONS, type PolicyAction, type PolicyRequest } from "../../src/policy/rule.ts";
import { alice, robot, root, rule } from "../helpers/policy-fixtures.ts";

const PULL = "registry:pull";
const anonymous: Principal = null;

function ask(principal: Principal, action: PolicyAction = PULL, repository: string | null = "t/a") {
  return { principal, action, repository } satisfies PolicyRequest;
}

/** The expected decision: allowed or not, and the id of the rule named (null: default deny). */
type Expected = { allowed: boolean; rule: number | null };
const allowedBy = (id: number): Expected => ({ allowed: true, rule: id });
const deniedBy = (id: number): Expected => ({ allowed: false, rule: id });
const DEFAULT_DENY: Expected = { allowed: false, rule: null };

type Case = [name: string, rules: ReturnType<typeof rule>[], request: PolicyRequest, Expected];

const pullOn = (glob: string) => [rule(1, { actions: [PULL], repositories: [glob] })];
const globCase = (glob: string, repository: string, matches: boolean): Case => [
  `${glob} ${matches ? "matches" : "does not match"} ${repository}`,
  pullOn(glob),
  ask(alice, PULL, repository),
  matches ? allowedBy(1) : DEFAULT_DENY,
];

const CASES: Case[] = [
  // Default deny.
  ["no rules: default deny", [], ask(alice), DEFAULT_DENY],
  [
    "rules for other actions only",
    [rule(1, { actions: ["registry:push"] })],
    ask(alice),
    DEFAULT_DENY,
  ],

  // Deny wins over allow, whatever the priorities.
  [
    "a deny of later priority beats an earlier allow",
    [rule(1, { priority: 1 }), rule(2, { priority: 999, effect: "deny" })],
    ask(alice),
    deniedBy(2),
  ],
  [
    "a deny of earlier priority beats an allow",
    [rule(1, { priority: 5, effect: "deny" }), rule(2, { priority: 10 })],
    ask(alice),
    deniedBy(1),
  ],
  [
    "a deny that does not apply leaves the allow",
    [rule(1), rule(2, { effect: "deny", repositories: ["prod/**"] })],
    ask(alice),
    allowedBy(1),
  ],

  // Priority decides which rule is reported: lower first, then id.
  [
    "of two allows the lower priority is named",
    [rule(9, { priority: 5 }), rule(10, { priority: 1 })],
    ask(alice),
    allowedBy(10),
  ],
  [
    "of two allows with one priority the lower id",
    [rule(7, { priority: 3 }), rule(4, { priority: 3 })],
    ask(alice),
    allowedBy(4),
  ],
  [
    "of two denies the lower priority is named",
    [rule(1, { priority: 50, effect: "deny" }), rule(2, { priority: 20, effect: "deny" })],
    ask(alice),
    deniedBy(2),
  ],
  [
    "negative priorities come first",
    [rule(1, { priority: 0 }), rule(2, { priority: -5 })],
    ask(alice),
    allowedBy(2),
  ],

  // Globs: `*` within one segment, `**` across segments.
  globCase("team/**", "team/a", true),
  globCase("team/**", "team/a/b", true),
  globCase("team/**", "team", false),
  globCase("team/**", "teams/a", false),
  globCase("*/app", "x/app", true),
  globCase("*/app", "x/y/app", false),
  globCase("team/*", "team/a/b", false),
  globCase("team/app", "team/app2", false),
  globCase("**", "a/b/c/d", true),
  [
    "any one of several globs suffices",
    [rule(1, { repositories: ["x/**", "t/*"] })],
    ask(alice),
    allowedBy(1),
  ],

  // Global actions never match rules with repository globs.
  ...[...GLOBAL_ACTIONS].flatMap((action): Case[] => [
    [
      `${action} ignores a rule with globs`,
      [rule(1, { repositories: ["**"] })],
      ask(alice, action, null),
      DEFAULT_DENY,
    ],
    [
      `${action} matches a rule without globs`,
      [rule(1, { actions: [action] })],
      ask(alice, action, null),
      allowedBy(1),
    ],
  ]),
  [
    "a global action with a repository too",
    [rule(1, { repositories: ["**"] })],
    ask(alice, "registry:catalog"),
    DEFAULT_DENY,
  ],
  [
    "a deny with globs does not block a global action",
    [rule(1), rule(2, { effect: "deny", repositories: ["**"] })],
    ask(alice, "registry:catalog", null),
    allowedBy(1),
  ],

  // Subjects: account ids, and `anonymous` for no principal.
  ["a subject matches its account", [rule(1, { subjects: ["u-alice"] })], ask(alice), allowedBy(1)],
  [
    "a subject does not match another account",
    [rule(1, { subjects: ["u-alice"] })],
    ask(robot),
    DEFAULT_DENY,
  ],
  ["subjects are ids, not usernames", [rule(1, { subjects: ["alice"] })], ask(alice), DEFAULT_DENY],
  [
    "`anonymous` matches no principal",
    [rule(1, { subjects: ["anonymous"] })],
    ask(anonymous),
    allowedBy(1),
  ],
  [
    "`anonymous` does not match an account",
    [rule(1, { subjects: ["anonymous"] })],
    ask(alice),
    DEFAULT_DENY,
  ],
  [
    "an account's rule does not match anonymous",
    [rule(1, { subjects: ["u-alice"] })],
    ask(anonymous),
    DEFAULT_DENY,
  ],
  ["a rule without subjects matches anonymous", [rule(1)], ask(anonymous), allowedBy(1)],

  // Account types and roles; anonymous has neither.
  [
    "type system matches a system account",
    [rule(1, { accountTypes: ["system"] })],
    ask(robot),
    allowedBy(1),
  ],
  [
    "type system does not match a person",
    [rule(1, { accountTypes: ["system"] })],
    ask(alice),
    DEFAULT_DENY,
  ],
  [
    "account types never match anonymous",
    [rule(1, { accountTypes: ["human", "system"] })],
    ask(anonymous),
    DEFAULT_DENY,
  ],
  ["a role matches an account holding it", [rule(1, { roles: ["ci"] })], ask(robot), allowedBy(1)],
  [
    "any one of several roles suffices",
    [rule(1, { roles: ["ops", "admin"] })],
    ask(root),
    allowedBy(1),
  ],
  [
    "a role does not match an account without it",
    [rule(1, { roles: ["ci"] })],
    ask(alice),
    DEFAULT_DENY,
  ],
  ["a role does not match anonymous", [rule(1, { roles: ["ci"] })], ask(anonymous), DEFAULT_DENY],
  [
    "every populated field must match",
    [rule(1, { roles: ["ci"], accountTypes: ["human"] })],
    ask(robot),
    DEFAULT_DENY,
  ],

  // Disabled rules are ignored.
  ["a disabled allow is ignored", [rule(1, { enabled: false })], ask(alice), DEFAULT_DENY],
  [
    "a disabled deny is ignored",
    [rule(1), rule(2, { effect: "deny", enabled: false })],
    ask(alice),
    allowedBy(1),
  ],

  // An operator's deny overrides the built-in admin rule.
  [
    "a deny beats the built-in admin allow",
    [
      ...BUILTIN_RULES,
      rule(1, { effect: "deny", subjects: ["u-root"], repositories: ["prod/**"] }),
    ],
    ask(root, "registry:delete", "prod/db"),
    deniedBy(1),
  ],
];

describe("evaluatePolicy", () => {
  for (const [name, rules, request, expected] of CASES) {
    test(name, () => {
      const decision = evaluatePolicy(rules, request);
      expect({ allowed: decision.allowed, rule: decision.rule?.id ?? null }).toEqual(expected);
      if (expected.rule === null) expect(decision.reason).toContain("default deny");
      else expect(decision.reason).toContain(`rule ${expected.rule}`);
    });
  }

  test("the order rules are given in does not change the decision", () => {
    const rules = [rule(3, { priority: 2 }), rule(1, { priority: 2 }), rule(2, { priority: 1 })];
    for (const order of [rules, [...rules].reverse()]) {
      expect(evaluatePolicy(order, ask(alice)).rule?.id).toBe(2);
    }
  });

  test("the reason names the rule and its description", () => {
    const rules = [rule(5, { effect: "deny", description: "no pulls on Fridays" })];
    expect(evaluatePolicy(rules, ask(alice)).reason).toBe("denied by rule 5 (no pulls on Fridays)");
  });
});

test("explainPolicy lists every applicable rule in the order considered", () => {
  const rules = [
    rule(7, { priority: 50, effect: "allow" }),
    rule(3, { priority: 1, effect: "allow", actions: ["registry:catalog"] }),
    rule(9, { priority: 5, effect: "deny" }),
  ];
  const { decision, applicable } = explainPolicy(rules, ask(anonymous));
  expect(applicable.map((candidate) => candidate.id)).toEqual([9, 7]);
  expect(decision.allowed).toBe(false);
  expect(decision.rule?.id).toBe(9);
});

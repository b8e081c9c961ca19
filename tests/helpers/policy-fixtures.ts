import type { Identity } from "../../src/auth/identity.ts";
import type { PolicyRule } from "../../src/policy/rule.ts";

/** Principals the policy tests ask about; anonymous is `null`. */
export const alice: Identity = {
  id: "u-alice",
  username: "alice",
  accountType: "human",
  roles: [],
};
export const root: Identity = {
  id: "u-root",
  username: "root",
  accountType: "human",
  roles: ["admin"],
};
export const robot: Identity = {
  id: "u-robot",
  username: "ci",
  accountType: "system",
  roles: ["ci"],
};

/** A stored rule: allow, priority 100, every list empty (matching anything) unless given. */
export function rule(id: number, fields: Partial<PolicyRule> = {}): PolicyRule {
  return {
    id,
    priority: 100,
    effect: "allow",
    subjects: [],
    accountTypes: [],
    roles: [],
    actions: [],
    repositories: [],
    description: "",
    enabled: true,
    builtin: false,
    ...fields,
  };
}

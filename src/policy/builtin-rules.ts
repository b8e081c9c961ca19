import type { PolicyRule } from "./rule.ts";

const builtin = (rule: Omit<PolicyRule, "enabled" | "builtin" | "subjects">): PolicyRule => ({
  ...rule,
  subjects: [],
  enabled: true,
  builtin: true,
});

/**
 * Rules every MCR has, with negative ids so they never collide with stored ones. An
 * operator's deny rule still overrides them: a deny wins whatever its priority.
 */
export const BUILTIN_RULES: readonly PolicyRule[] = [
  builtin({
    id: -1,
    priority: 0,
    effect: "allow",
    accountTypes: [],
    roles: ["admin"],
    actions: [],
    repositories: [],
    description: "admins may do everything",
  }),
  builtin({
    id: -2,
    priority: 0,
    effect: "allow",
    accountTypes: ["human"],
    roles: [],
    actions: ["registry:pull", "registry:push", "registry:delete", "registry:catalog"],
    repositories: [],
    description: "people may pull, push, delete and list the catalog",
  }),
  builtin({
    id: -3,
    priority: 0,
    effect: "allow",
    accountTypes: ["human", "system"],
    roles: [],
    actions: ["registry:version_check"],
    repositories: [],
    description: "everyone authenticated may call /v2/",
  }),
];

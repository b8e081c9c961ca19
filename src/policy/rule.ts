import type { AccountType, Principal } from "../auth/identity.ts";

/** Everything a rule can allow or deny. */
export const POLICY_ACTIONS = [
  "registry:version_check",
  "registry:pull",
  "registry:push",
  "registry:delete",
  "registry:catalog",
  "policy:manage",
] as const;

export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/** Actions on the registry as a whole: only rules without repository globs can match them. */
export const GLOBAL_ACTIONS: ReadonlySet<PolicyAction> = new Set([
  "registry:version_check",
  "registry:catalog",
  "policy:manage",
]);

/**
 * One access rule. Every populated list must match for the rule to apply: an empty list
 * matches anything. `subjects` holds account ids, or `anonymous`.
 */
export interface PolicyRule {
  id: number;
  /** Lower first. Decides which rule an explanation names; a deny wins regardless. */
  priority: number;
  effect: "allow" | "deny";
  subjects: string[];
  accountTypes: AccountType[];
  roles: string[];
  actions: PolicyAction[];
  /** Globs: `*` within one path segment, `**` across segments. */
  repositories: string[];
  description: string;
  enabled: boolean;
  /** Shipped with MCR: visible, never editable. */
  builtin: boolean;
}

/** One question to the policy: may this principal do this action to this repository? */
export interface PolicyRequest {
  principal: Principal;
  action: PolicyAction;
  /** Null for global actions. */
  repository: string | null;
}

/** The answer, with the rule that decided it (null when no rule matched: default deny). */
export interface PolicyDecision {
  allowed: boolean;
  rule: PolicyRule | null;
  reason: string;
}

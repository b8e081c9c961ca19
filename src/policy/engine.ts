import { ANONYMOUS } from "../auth/identity.ts";
import { globMatches } from "./glob.ts";
import {
  GLOBAL_ACTIONS,
  type PolicyDecision,
  type PolicyRequest,
  type PolicyRule,
} from "./rule.ts";

/**
 * Decides a request against a set of rules. Pure: rules and a request in, a decision out.
 *
 * - A rule applies when every one of its populated fields matches the request.
 * - Any applicable deny refuses the request, whatever its priority (as in IAM policies).
 * - Otherwise an applicable allow permits it; with none, the answer is no (default deny).
 * - Rules are considered in priority order (lower first, then id), which decides the rule
 *   an explanation names.
 */
export function evaluatePolicy(
  rules: readonly PolicyRule[],
  request: PolicyRequest,
): PolicyDecision {
  return explainPolicy(rules, request).decision;
}

/**
 * The decision with every enabled rule that applied, in the order they were considered: what
 * an operator needs to see why a request was allowed or refused.
 */
export function explainPolicy(
  rules: readonly PolicyRule[],
  request: PolicyRequest,
): { decision: PolicyDecision; applicable: PolicyRule[] } {
  const applicable = rules
    .filter((rule) => rule.enabled && applies(rule, request))
    .sort((a, b) => a.priority - b.priority || a.id - b.id);
  return { decision: decide(applicable), applicable };
}

function decide(applicable: readonly PolicyRule[]): PolicyDecision {
  const deny = applicable.find((rule) => rule.effect === "deny");
  if (deny) return { allowed: false, rule: deny, reason: `denied by rule ${describe(deny)}` };
  const allow = applicable.find((rule) => rule.effect === "allow");
  if (allow) return { allowed: true, rule: allow, reason: `allowed by rule ${describe(allow)}` };
  return { allowed: false, rule: null, reason: "no rule allows it (default deny)" };
}

function applies(rule: PolicyRule, request: PolicyRequest): boolean {
  const { principal, action, repository } = request;
  if (rule.actions.length > 0 && !rule.actions.includes(action)) return false;
  if (rule.subjects.length > 0 && !rule.subjects.includes(principal?.id ?? ANONYMOUS)) return false;
  if (rule.accountTypes.length > 0) {
    if (!principal || !rule.accountTypes.includes(principal.accountType)) return false;
  }
  if (rule.roles.length > 0) {
    if (!principal || !rule.roles.some((role) => principal.roles.includes(role))) return false;
  }
  if (rule.repositories.length > 0) {
    if (GLOBAL_ACTIONS.has(action) || repository === null) return false;
    if (!rule.repositories.some((glob) => globMatches(glob, repository))) return false;
  }
  return true;
}

function describe(rule: PolicyRule): string {
  return rule.description ? `${rule.id} (${rule.description})` : String(rule.id);
}

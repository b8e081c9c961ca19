import type { PolicyAction } from "../policy/rule.ts";

/** One entry of a Docker token scope: `repository:library/busybox:pull,push`. */
export interface Scope {
  type: string;
  name: string;
  actions: string[];
}

/**
 * Reads a scope. The name is whatever lies between the first and the last colon, so that a
 * type with a class (`repository(plugin)`) still parses. Returns null when malformed.
 */
export function parseScope(text: string): Scope | null {
  const first = text.indexOf(":");
  const last = text.lastIndexOf(":");
  if (first <= 0 || last <= first + 1) return null;
  const actions = text
    .slice(last + 1)
    .split(",")
    .filter(Boolean);
  if (actions.length === 0) return null;
  return { type: text.slice(0, first), name: text.slice(first + 1, last), actions };
}

/**
 * The policy actions a scope action stands for. `*` on a repository means everything one
 * can do to it; `registry:catalog:*` is the catalog.
 */
export function policyActionsFor(scope: Scope, action: string): PolicyAction[] {
  if (scope.type === "registry") {
    return scope.name === "catalog" && (action === "*" || action === "catalog")
      ? ["registry:catalog"]
      : [];
  }
  if (scope.type !== "repository") return [];
  switch (action) {
    case "pull":
      return ["registry:pull"];
    case "push":
      return ["registry:push"];
    case "delete":
      return ["registry:delete"];
    case "*":
      return ["registry:pull", "registry:push", "registry:delete"];
    default:
      return [];
  }
}

/** The scope action a policy action is written as in a challenge or a grant. */
export function scopeActionFor(action: PolicyAction): string {
  return action.replace(/^registry:/, "");
}

/** True when granted scopes cover `action` on `repository` (or the global action). */
export function scopesAllow(
  granted: readonly Scope[],
  action: PolicyAction,
  repository: string | null,
): boolean {
  if (action === "registry:version_check") return true;
  return granted.some((scope) =>
    scope.actions.some(
      (scopeAction) =>
        (repository === null || scope.name === repository) &&
        policyActionsFor(scope, scopeAction).includes(action),
    ),
  );
}

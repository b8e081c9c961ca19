import type { RuleJson } from "../admin-shapes.ts";
import { formatFields, formatTable } from "../output/table.ts";

/** An empty list matches anything; shown as "*" in tables and "any" in detail. */
function list(values: string[], empty: string): string {
  return values.length === 0 ? empty : values.join(",");
}

/** "enabled", "disabled", "built-in". */
function state(rule: RuleJson): string {
  if (rule.builtin) return "built-in";
  return rule.enabled ? "enabled" : "disabled";
}

/** Who a rule is about, in one cell: its subjects, account types and roles. */
function who(rule: RuleJson): string {
  const parts = [
    ...rule.subjects,
    ...rule.account_types.map((type) => `type:${type}`),
    ...rule.roles.map((role) => `role:${role}`),
  ];
  return parts.length === 0 ? "*" : parts.join(",");
}

/** Rules as a table, in the order given (the server's: by priority). */
export function describeRules(rules: RuleJson[]): string {
  if (rules.length === 0) return "no rules";
  return formatTable(
    ["ID", "PRIORITY", "EFFECT", "STATE", "WHO", "ACTIONS", "REPOSITORIES", "DESCRIPTION"],
    rules.map((rule) => [
      String(rule.id),
      String(rule.priority),
      rule.effect,
      state(rule),
      who(rule),
      list(rule.actions, "*"),
      list(rule.repositories, "*"),
      rule.description,
    ]),
  );
}

/** One rule, every field on its own line. */
export function describeRule(rule: RuleJson): string {
  return formatFields([
    ["id", String(rule.id)],
    ["priority", String(rule.priority)],
    ["effect", rule.effect],
    ["state", state(rule)],
    ["subjects", list(rule.subjects, "any")],
    ["account types", list(rule.account_types, "any")],
    ["roles", list(rule.roles, "any")],
    ["actions", list(rule.actions, "any")],
    ["repositories", list(rule.repositories, "any")],
    ["description", rule.description],
  ]);
}

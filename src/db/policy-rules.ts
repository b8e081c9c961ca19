import type { Selectable } from "kysely";
import type { AccountType } from "../auth/identity.ts";
import type { PolicyAction, PolicyRule } from "../policy/rule.ts";
import type { DatabaseSchema, Db } from "./schema.ts";

/** The fields of a rule an operator writes. */
export type PolicyRuleInput = Omit<PolicyRule, "id" | "builtin">;

export async function listPolicyRules(db: Db): Promise<PolicyRule[]> {
  return (await db.selectFrom("policy_rules").selectAll().orderBy("id").execute()).map(toRule);
}

export async function insertPolicyRule(db: Db, rule: PolicyRuleInput, now = Date.now()) {
  const row = await db
    .insertInto("policy_rules")
    .values({ ...toRow(rule), created_at: now, updated_at: now })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updatePolicyRule(
  db: Db,
  id: number,
  rule: PolicyRuleInput,
  now = Date.now(),
) {
  const result = await db
    .updateTable("policy_rules")
    .set({ ...toRow(rule), updated_at: now })
    .where("id", "=", id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deletePolicyRule(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom("policy_rules").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

function toRow(rule: PolicyRuleInput) {
  return {
    priority: rule.priority,
    effect: rule.effect,
    subjects: JSON.stringify(rule.subjects),
    account_types: JSON.stringify(rule.accountTypes),
    roles: JSON.stringify(rule.roles),
    actions: JSON.stringify(rule.actions),
    repositories: JSON.stringify(rule.repositories),
    description: rule.description,
    enabled: rule.enabled ? 1 : 0,
  };
}

function toRule(row: Selectable<DatabaseSchema["policy_rules"]>): PolicyRule {
  return {
    id: row.id,
    priority: row.priority,
    effect: row.effect,
    subjects: JSON.parse(row.subjects) as string[],
    accountTypes: JSON.parse(row.account_types) as AccountType[],
    roles: JSON.parse(row.roles) as string[],
    actions: JSON.parse(row.actions) as PolicyAction[],
    repositories: JSON.parse(row.repositories) as string[],
    description: row.description,
    enabled: row.enabled !== 0,
    builtin: false,
  };
}

import type { Actor, AuditLog } from "../audit/audit-log.ts";
import {
  deletePolicyRule,
  insertPolicyRule,
  listPolicyRules,
  type PolicyRuleInput,
  updatePolicyRule,
} from "../db/policy-rules.ts";
import type { Db } from "../db/schema.ts";
import { BUILTIN_RULES } from "./builtin-rules.ts";
import { evaluatePolicy, explainPolicy } from "./engine.ts";
import { globProblem } from "./glob.ts";
import {
  POLICY_ACTIONS,
  type PolicyDecision,
  type PolicyRequest,
  type PolicyRule,
} from "./rule.ts";

/** A rule an operator wrote that cannot be stored as it is. */
export class PolicyInputError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid policy rule: ${problems.join("; ")}`);
    this.name = "PolicyInputError";
  }
}

/** A rule that does not exist, or a built-in one that may not be changed. */
export class PolicyRuleNotFoundError extends Error {}

/**
 * The policy: built-in rules plus those stored in SQLite, held in memory and reloaded after
 * every change made through this service, so a decision never waits for the database.
 */
export class PolicyService {
  #rules: readonly PolicyRule[] = BUILTIN_RULES;

  private constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
  ) {}

  /** Loads the stored rules and returns the service. */
  static async open(db: Db, audit: AuditLog): Promise<PolicyService> {
    const service = new PolicyService(db, audit);
    await service.reload();
    return service;
  }

  /** Re-reads the stored rules. */
  async reload(): Promise<void> {
    this.#rules = [...BUILTIN_RULES, ...(await listPolicyRules(this.db))];
  }

  /** Every rule, built-in ones first, then by priority. */
  rules(): readonly PolicyRule[] {
    return [...this.#rules].sort(
      (a, b) => Number(b.builtin) - Number(a.builtin) || a.priority - b.priority || a.id - b.id,
    );
  }

  /** The decision for a request, and the rule that made it. */
  evaluate(request: PolicyRequest): PolicyDecision {
    return evaluatePolicy(this.#rules, request);
  }

  /** The decision with every rule that applied: what the CLI and UI show as "why". */
  explain(request: PolicyRequest) {
    return explainPolicy(this.#rules, request);
  }

  async create(input: PolicyRuleInput, actor: Actor | null): Promise<PolicyRule> {
    const rule = validate(input);
    const id = await insertPolicyRule(this.db, rule);
    await this.reload();
    await this.audit.record({
      type: "policy_rule_created",
      actor,
      details: auditDetails(id, rule),
    });
    return { ...rule, id, builtin: false };
  }

  /** Changes some fields of a stored rule. */
  async update(id: number, patch: Partial<PolicyRuleInput>, actor: Actor | null) {
    const current = this.#stored(id);
    const rule = validate({ ...current, ...patch });
    await updatePolicyRule(this.db, id, rule);
    await this.reload();
    await this.audit.record({
      type: "policy_rule_updated",
      actor,
      details: auditDetails(id, patch),
    });
    return { ...rule, id, builtin: false } satisfies PolicyRule;
  }

  async delete(id: number, actor: Actor | null): Promise<void> {
    this.#stored(id);
    await deletePolicyRule(this.db, id);
    await this.reload();
    await this.audit.record({ type: "policy_rule_deleted", actor, details: { id } });
  }

  #stored(id: number): PolicyRule {
    const rule = this.#rules.find((candidate) => candidate.id === id && !candidate.builtin);
    if (!rule) throw new PolicyRuleNotFoundError(`policy rule ${id} does not exist or is built in`);
    return rule;
  }
}

/** Priorities travel as int32 in the RPC API: a larger one could be stored but not listed. */
const MIN_PRIORITY = -(2 ** 31);
const MAX_PRIORITY = 2 ** 31 - 1;

/**
 * A rule's fields as audit details, spelled in snake_case like every other event's details
 * and like the rule in the REST API, so one query language reads them all.
 */
function auditDetails(id: number, fields: Partial<PolicyRuleInput>) {
  const { accountTypes, ...rest } = fields;
  return { id, ...rest, ...(accountTypes === undefined ? {} : { account_types: accountTypes }) };
}

function validate(input: PolicyRuleInput): PolicyRuleInput {
  const problems: string[] = [];
  if (
    !Number.isInteger(input.priority) ||
    input.priority < MIN_PRIORITY ||
    input.priority > MAX_PRIORITY
  ) {
    problems.push(`priority must be a whole number from ${MIN_PRIORITY} to ${MAX_PRIORITY}`);
  }
  if (input.effect !== "allow" && input.effect !== "deny") {
    problems.push('effect must be "allow" or "deny"');
  }
  for (const action of input.actions) {
    if (!(POLICY_ACTIONS as readonly string[]).includes(action)) {
      problems.push(`unknown action ${JSON.stringify(action)}; use ${POLICY_ACTIONS.join(", ")}`);
    }
  }
  for (const type of input.accountTypes) {
    if (type !== "human" && type !== "system") {
      problems.push(`unknown account type ${JSON.stringify(type)}; use human or system`);
    }
  }
  for (const glob of input.repositories) {
    const problem = globProblem(glob);
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) throw new PolicyInputError(problems);
  return {
    priority: input.priority,
    effect: input.effect,
    subjects: [...input.subjects],
    accountTypes: [...input.accountTypes],
    roles: [...input.roles],
    actions: [...input.actions],
    repositories: [...input.repositories],
    description: input.description ?? "",
    enabled: input.enabled ?? true,
  };
}

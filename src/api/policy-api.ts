import type { Principal } from "../auth/identity.ts";
import type { PolicyRuleInput } from "../db/policy-rules.ts";
import { POLICY_ACTIONS, type PolicyAction, type PolicyRule } from "../policy/rule.ts";
import { parseRepositoryName } from "../registry/names.ts";
import type { AdminDependencies } from "./admin-dependencies.ts";
import { ApiError } from "./api-error.ts";
import { actorOf, type Caller, requirePolicyAction } from "./caller.ts";

/** Rule fields as a caller sends them; what is absent is kept (update) or defaulted (create). */
export interface RuleFields {
  priority?: number;
  effect?: string;
  subjects?: string[];
  accountTypes?: string[];
  roles?: string[];
  actions?: string[];
  repositories?: string[];
  description?: string;
  enabled?: boolean;
}

/** A request to decide, as the evaluator's caller names it. */
export interface PolicyQuestion {
  /** A username or account id; absent, empty or "anonymous" for no credentials. */
  subject?: string;
  action: string;
  /** Absent or empty for global actions. */
  repository?: string;
}

/** A decision and every rule that applied to it. */
export interface PolicyAnswer {
  allowed: boolean;
  reason: string;
  rule: PolicyRule | null;
  applicable: PolicyRule[];
}

/** Policy rules and the evaluator; callers need policy:manage (admins have it). */
export class PolicyApi {
  constructor(private readonly deps: AdminDependencies) {}

  list(caller: Caller): readonly PolicyRule[] {
    this.#authorize(caller);
    return this.deps.policy.rules();
  }

  get(caller: Caller, id: number): PolicyRule {
    this.#authorize(caller);
    return this.#find(id, "read");
  }

  create(caller: Caller, fields: RuleFields): Promise<PolicyRule> {
    this.#authorize(caller);
    if (fields.priority === undefined) {
      throw new ApiError("invalid-argument", "priority is required and must be a number");
    }
    if (fields.effect === undefined) {
      throw new ApiError("invalid-argument", 'effect is required: "allow" or "deny"');
    }
    return this.deps.policy.create(merge(fields, null), actorOf(caller));
  }

  update(caller: Caller, id: number, fields: RuleFields): Promise<PolicyRule> {
    this.#authorize(caller);
    const current = this.#find(id, "change");
    return this.deps.policy.update(current.id, merge(fields, current), actorOf(caller));
  }

  setEnabled(caller: Caller, id: number, enabled: boolean): Promise<PolicyRule> {
    return this.update(caller, id, { enabled });
  }

  async delete(caller: Caller, id: number): Promise<void> {
    this.#authorize(caller);
    await this.deps.policy.delete(this.#find(id, "change").id, actorOf(caller));
  }

  async evaluate(caller: Caller, question: PolicyQuestion): Promise<PolicyAnswer> {
    this.#authorize(caller);
    if (!(POLICY_ACTIONS as readonly string[]).includes(question.action)) {
      throw new ApiError(
        "invalid-argument",
        `unknown action ${JSON.stringify(question.action)}; use ${POLICY_ACTIONS.join(", ")}`,
      );
    }
    const principal = await this.#principal(question.subject);
    const repository = question.repository ? parseRepositoryName(question.repository) : null;
    const { decision, applicable } = this.deps.policy.explain({
      principal,
      action: question.action as PolicyAction,
      repository,
    });
    return {
      allowed: decision.allowed,
      reason: decision.reason,
      rule: decision.rule ?? null,
      applicable,
    };
  }

  #authorize(caller: Caller) {
    requirePolicyAction(this.deps.policy, caller, "policy:manage");
  }

  #find(id: number, purpose: "read" | "change"): PolicyRule {
    const rule = this.deps.policy.rules().find((candidate) => candidate.id === id);
    if (!rule) throw new ApiError("not-found", `policy rule ${id} does not exist`);
    if (rule.builtin && purpose === "change") {
      throw new ApiError(
        "permission-denied",
        `policy rule ${id} is built in and cannot be changed`,
      );
    }
    return rule;
  }

  async #principal(subject: string | undefined): Promise<Principal> {
    if (!subject || subject === "anonymous") return null;
    return this.deps.accounts.identityOf(subject);
  }
}

/** The stored rule with `fields` laid over it; the policy service validates the values. */
function merge(fields: RuleFields, base: PolicyRule | null): PolicyRuleInput {
  return {
    priority: fields.priority ?? base?.priority ?? 0,
    effect: (fields.effect ?? base?.effect) as PolicyRuleInput["effect"],
    subjects: fields.subjects ?? base?.subjects ?? [],
    accountTypes: (fields.accountTypes ??
      base?.accountTypes ??
      []) as PolicyRuleInput["accountTypes"],
    roles: fields.roles ?? base?.roles ?? [],
    actions: (fields.actions ?? base?.actions ?? []) as PolicyAction[],
    repositories: fields.repositories ?? base?.repositories ?? [],
    description: fields.description ?? base?.description ?? "",
    enabled: fields.enabled ?? base?.enabled ?? true,
  };
}

import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { AdminApi } from "../../api/admin-api.ts";
import { ApiError } from "../../api/api-error.ts";
import type { RuleFields } from "../../api/policy-api.ts";
import type { PolicyService, Rule, RuleSchema } from "../../gen/mcr/v1/policy_pb.ts";
import type { PolicyRule } from "../../policy/rule.ts";
import { callerOf } from "../call-context.ts";
import { int64, numberOf } from "../wire.ts";

/** Rule fields an update mask may name, in the proto's own (snake_case) spelling. */
const MASKABLE: Record<string, keyof RuleFields> = {
  priority: "priority",
  effect: "effect",
  subjects: "subjects",
  account_types: "accountTypes",
  roles: "roles",
  actions: "actions",
  repositories: "repositories",
  description: "description",
  enabled: "enabled",
};

/** mcr.v1.PolicyService over the admin API. */
export function policyService(api: AdminApi): ServiceImpl<typeof PolicyService> {
  return {
    listRules: (_request, context) => ({
      rules: api.policy.list(callerOf(context)).map(ruleMessage),
    }),
    getRule: (request, context) => ({
      rule: ruleMessage(api.policy.get(callerOf(context), numberOf(request.id))),
    }),
    async createRule(request, context) {
      // Every field counts on create: proto3 cannot tell priority 0 from no priority.
      const rule = await api.policy.create(callerOf(context), everyField(request.rule));
      return { rule: ruleMessage(rule) };
    },
    async updateRule(request, context) {
      const paths = request.updateMask?.paths ?? [];
      const fields = paths.length > 0 ? masked(request.rule, paths) : populated(request.rule);
      return {
        rule: ruleMessage(await api.policy.update(callerOf(context), numberOf(request.id), fields)),
      };
    },
    async enableRule(request, context) {
      return {
        rule: ruleMessage(
          await api.policy.setEnabled(callerOf(context), numberOf(request.id), true),
        ),
      };
    },
    async disableRule(request, context) {
      return {
        rule: ruleMessage(
          await api.policy.setEnabled(callerOf(context), numberOf(request.id), false),
        ),
      };
    },
    async deleteRule(request, context) {
      await api.policy.delete(callerOf(context), numberOf(request.id));
      return {};
    },
    async evaluate(request, context) {
      const answer = await api.policy.evaluate(callerOf(context), request);
      return {
        allowed: answer.allowed,
        reason: answer.reason,
        rule: answer.rule ? ruleMessage(answer.rule) : undefined,
        applicable: answer.applicable.map(ruleMessage),
      };
    },
  };
}

/**
 * The fields a rule message sets, as AIP-134 reads an update without a mask: proto3 cannot
 * tell an empty list or zero from an absent one, so those count as absent.
 */
function populated(rule: Rule | undefined): RuleFields {
  if (!rule) return {};
  const list = (values: string[]) => (values.length > 0 ? values : undefined);
  return {
    priority: rule.priority === 0 ? undefined : rule.priority,
    effect: rule.effect || undefined,
    subjects: list(rule.subjects),
    accountTypes: list(rule.accountTypes),
    roles: list(rule.roles),
    actions: list(rule.actions),
    repositories: list(rule.repositories),
    description: rule.description || undefined,
    enabled: rule.enabled,
  };
}

/** Exactly the fields the mask names, empty or zero included. */
function masked(rule: Rule | undefined, paths: string[]): RuleFields {
  const source = everyField(rule);
  const fields: RuleFields = {};
  for (const path of paths) {
    const name = MASKABLE[path];
    if (!name) {
      throw new ApiError(
        "invalid-argument",
        `update_mask names ${JSON.stringify(path)}; use ${Object.keys(MASKABLE).join(", ")}`,
      );
    }
    Object.assign(fields, { [name]: source[name] });
  }
  return fields;
}

function everyField(rule: Rule | undefined): Required<RuleFields> {
  return {
    priority: rule?.priority ?? 0,
    effect: rule?.effect ?? "",
    subjects: rule?.subjects ?? [],
    accountTypes: rule?.accountTypes ?? [],
    roles: rule?.roles ?? [],
    actions: rule?.actions ?? [],
    repositories: rule?.repositories ?? [],
    description: rule?.description ?? "",
    enabled: rule?.enabled ?? true,
  };
}

function ruleMessage(rule: PolicyRule): MessageInitShape<typeof RuleSchema> {
  return {
    id: int64(rule.id),
    priority: rule.priority,
    effect: rule.effect,
    subjects: rule.subjects,
    accountTypes: rule.accountTypes,
    roles: rule.roles,
    actions: rule.actions,
    repositories: rule.repositories,
    description: rule.description,
    enabled: rule.enabled,
    builtin: rule.builtin,
  };
}

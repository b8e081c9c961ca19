import type { AdminApi } from "../../api/admin-api.ts";
import { ApiError } from "../../api/api-error.ts";
import type { RuleFields } from "../../api/policy-api.ts";
import type { PolicyRule } from "../../policy/rule.ts";
import { jsonResponse } from "../../server/json-response.ts";
import { OWN_BODY, type RestApp, route } from "../context.ts";
import { type JsonObject, readJsonObject } from "../json-body.ts";

/**
 * Policy rules and the evaluator; callers need policy:manage (admins have it). Rules are
 * written in snake_case: priority, effect, subjects, account_types, roles, actions,
 * repositories, description, enabled.
 */
export function policyRoutes(app: RestApp, api: AdminApi) {
  for (const [verb, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    app.post(
      `/policy/rules/:id/${verb}`,
      route(api, async (ctx) => {
        const rule = await api.policy.setEnabled(
          await ctx.caller(),
          ruleId(ctx.params.id),
          enabled,
        );
        return jsonResponse(ruleJson(rule));
      }),
      OWN_BODY,
    );
  }

  return app
    .get(
      "/policy/rules",
      route(api, async (ctx) =>
        jsonResponse({ rules: api.policy.list(await ctx.caller()).map(ruleJson) }),
      ),
    )
    .post(
      "/policy/rules",
      route(api, async (ctx) => {
        const caller = await ctx.caller();
        const fields = ruleFields(await readJsonObject(ctx.request));
        return jsonResponse(ruleJson(await api.policy.create(caller, fields)), { status: 201 });
      }),
      OWN_BODY,
    )
    .get(
      "/policy/rules/:id",
      route(api, async (ctx) =>
        jsonResponse(ruleJson(api.policy.get(await ctx.caller(), ruleId(ctx.params.id)))),
      ),
    )
    .patch(
      "/policy/rules/:id",
      route(api, async (ctx) => {
        const caller = await ctx.caller();
        const fields = ruleFields(await readJsonObject(ctx.request));
        return jsonResponse(
          ruleJson(await api.policy.update(caller, ruleId(ctx.params.id), fields)),
        );
      }),
      OWN_BODY,
    )
    .delete(
      "/policy/rules/:id",
      route(api, async (ctx) => {
        await api.policy.delete(await ctx.caller(), ruleId(ctx.params.id));
        return new Response(null, { status: 204 });
      }),
      OWN_BODY,
    )
    .post(
      "/policy/evaluate",
      route(api, async (ctx) => {
        const caller = await ctx.caller();
        const body = await readJsonObject(ctx.request);
        const answer = await api.policy.evaluate(caller, {
          subject: body.optionalString("subject"),
          action: body.string("action"),
          repository: body.optionalString("repository"),
        });
        return jsonResponse({
          allowed: answer.allowed,
          reason: answer.reason,
          rule: answer.rule ? ruleJson(answer.rule) : null,
          applicable: answer.applicable.map(ruleJson),
        });
      }),
      OWN_BODY,
    );
}

/** A rule id from the path; anything that is not one names no rule. */
function ruleId(text: string | undefined): number {
  const id = Number(text);
  if (!/^-?\d{1,15}$/.test(text ?? "") || !Number.isSafeInteger(id)) {
    throw new ApiError("not-found", `policy rule ${text} does not exist`);
  }
  return id;
}

function ruleFields(body: JsonObject): RuleFields {
  return {
    priority: body.optionalNumber("priority"),
    effect: body.optionalString("effect"),
    subjects: body.optionalStringList("subjects"),
    accountTypes: body.optionalStringList("account_types"),
    roles: body.optionalStringList("roles"),
    actions: body.optionalStringList("actions"),
    repositories: body.optionalStringList("repositories"),
    description: body.optionalString("description"),
    enabled: body.optionalBoolean("enabled"),
  };
}

/** The API speaks snake_case; rules are camelCase inside. */
export function ruleJson(rule: PolicyRule) {
  return {
    id: rule.id,
    priority: rule.priority,
    effect: rule.effect,
    subjects: rule.subjects,
    account_types: rule.accountTypes,
    roles: rule.roles,
    actions: rule.actions,
    repositories: rule.repositories,
    description: rule.description,
    enabled: rule.enabled,
    builtin: rule.builtin,
  };
}

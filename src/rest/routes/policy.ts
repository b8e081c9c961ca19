import type { Principal } from "../../auth/identity.ts";
import type { PolicyRuleInput } from "../../db/policy-rules.ts";
import { POLICY_ACTIONS, type PolicyAction, type PolicyRule } from "../../policy/rule.ts";
import { parseRepositoryName } from "../../registry/names.ts";
import { RegistryError } from "../../registry/registry-error.ts";
import { jsonResponse } from "../../server/json-response.ts";
import { ApiError } from "../api-error.ts";
import { requirePolicyAction } from "../caller.ts";
import { type RestApp, type RestDependencies, type RestRequest, route } from "../context.ts";
import { readJsonObject, stringField } from "../json-body.ts";

/**
 * Policy rules and the evaluator; callers need policy:manage (admins have it). Rules are
 * written in snake_case: priority, effect, subjects, account_types, roles, actions,
 * repositories, description, enabled.
 */
export function policyRoutes(app: RestApp, deps: RestDependencies) {
  const manager = (handle: (ctx: RestRequest) => Promise<Response>) =>
    route(deps, async (ctx) => {
      requirePolicyAction(deps.policy, await ctx.caller(), "policy:manage");
      return handle(ctx);
    });
  const none = { parse: "none" } as const;
  const actor = async (ctx: RestRequest) => ({
    name: (await ctx.caller()).username,
    clientAddress: ctx.clientAddress,
  });

  for (const [verb, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    app.post(
      `/policy/rules/:id/${verb}`,
      manager(async (ctx) => {
        const rule = findRule(deps, ctx.params.id, "change");
        const updated = await deps.policy.update(rule.id, { enabled }, await actor(ctx));
        return jsonResponse(ruleJson(updated));
      }),
      none,
    );
  }

  return app
    .get(
      "/policy/rules",
      manager(async () => jsonResponse({ rules: deps.policy.rules().map(ruleJson) })),
    )
    .post(
      "/policy/rules",
      manager(async (ctx) => {
        const input = ruleInput(await readJsonObject(ctx.request), null);
        const rule = await deps.policy.create(input, await actor(ctx));
        return jsonResponse(ruleJson(rule), { status: 201 });
      }),
      none,
    )
    .get(
      "/policy/rules/:id",
      manager(async (ctx) => jsonResponse(ruleJson(findRule(deps, ctx.params.id, "read")))),
    )
    .patch(
      "/policy/rules/:id",
      manager(async (ctx) => {
        const current = findRule(deps, ctx.params.id, "change");
        const patch = ruleInput(await readJsonObject(ctx.request), current);
        return jsonResponse(
          ruleJson(await deps.policy.update(current.id, patch, await actor(ctx))),
        );
      }),
      none,
    )
    .delete(
      "/policy/rules/:id",
      manager(async (ctx) => {
        await deps.policy.delete(findRule(deps, ctx.params.id, "change").id, await actor(ctx));
        return new Response(null, { status: 204 });
      }),
      none,
    )
    .post(
      "/policy/evaluate",
      manager(async (ctx) => {
        const body = await readJsonObject(ctx.request);
        const principal = await principalOf(deps, body.subject);
        const action = stringField(body, "action");
        if (!(POLICY_ACTIONS as readonly string[]).includes(action)) {
          throw new ApiError(
            400,
            `unknown action ${JSON.stringify(action)}; use ${POLICY_ACTIONS.join(", ")}`,
          );
        }
        const repository = repositoryOf(body.repository);
        const { decision, applicable } = deps.policy.explain({
          principal,
          action: action as PolicyAction,
          repository,
        });
        return jsonResponse({
          allowed: decision.allowed,
          reason: decision.reason,
          rule: decision.rule ? ruleJson(decision.rule) : null,
          applicable: applicable.map(ruleJson),
        });
      }),
      none,
    );
}

function findRule(
  deps: RestDependencies,
  idText: string | undefined,
  purpose: "read" | "change",
): PolicyRule {
  const id = Number(idText);
  const rule = deps.policy.rules().find((candidate) => candidate.id === id);
  if (!Number.isSafeInteger(id) || !rule)
    throw new ApiError(404, `policy rule ${idText} does not exist`);
  if (rule.builtin && purpose === "change") {
    throw new ApiError(403, `policy rule ${id} is built in and cannot be changed`);
  }
  return rule;
}

/** "anonymous", or a local account by username or id. */
async function principalOf(deps: RestDependencies, subject: unknown): Promise<Principal> {
  if (subject === undefined || subject === "anonymous") return null;
  if (typeof subject !== "string") {
    throw new ApiError(400, "subject must be a username, an id or anonymous");
  }
  return deps.accounts.identityOf(subject);
}

/** Reads a rule from JSON, over `base` for a partial update; the service validates values. */
function ruleInput(body: Record<string, unknown>, base: PolicyRule | null): PolicyRuleInput {
  for (const [name, value] of Object.entries(body)) {
    if (value === null) throw new ApiError(400, `${name} cannot be null; leave it out to keep it`);
  }
  const list = (name: string, fallback: string[] = []) => {
    const value = body[name];
    if (value === undefined) return fallback;
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
      throw new ApiError(400, `${name} must be a list of strings`);
    }
    return value as string[];
  };
  const priority = body.priority ?? base?.priority;
  if (typeof priority !== "number")
    throw new ApiError(400, "priority is required and must be a number");
  const effect = body.effect ?? base?.effect;
  if (effect !== "allow" && effect !== "deny")
    throw new ApiError(400, 'effect must be "allow" or "deny"');
  const enabled = body.enabled ?? base?.enabled ?? true;
  if (typeof enabled !== "boolean") throw new ApiError(400, "enabled must be true or false");
  const description = body.description ?? base?.description ?? "";
  if (typeof description !== "string") throw new ApiError(400, "description must be a string");
  return {
    priority,
    effect,
    subjects: list("subjects", base?.subjects),
    accountTypes: list("account_types", base?.accountTypes) as PolicyRuleInput["accountTypes"],
    roles: list("roles", base?.roles),
    actions: list("actions", base?.actions) as PolicyAction[],
    repositories: list("repositories", base?.repositories),
    description,
    enabled,
  };
}

function ruleJson(rule: PolicyRule) {
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

function repositoryOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw new ApiError(400, "repository must be a string");
  try {
    return parseRepositoryName(value);
  } catch (error) {
    if (error instanceof RegistryError) throw new ApiError(400, error.message);
    throw error;
  }
}

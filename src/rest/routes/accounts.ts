import type { AccountType } from "../../auth/identity.ts";
import { parseDuration } from "../../config/duration.ts";
import type { AccountRecord } from "../../db/accounts.ts";
import type { TokenRecord } from "../../db/tokens.ts";
import { jsonResponse } from "../../server/json-response.ts";
import { ApiError } from "../api-error.ts";
import { requireAdmin } from "../caller.ts";
import { type RestApp, type RestDependencies, type RestRequest, route } from "../context.ts";
import { readJsonObject, stringField, stringListField } from "../json-body.ts";

/** Accounts of the local provider and their API tokens; admins only. */
export function accountRoutes(app: RestApp, deps: RestDependencies) {
  const admin = (handle: (ctx: RestRequest) => Promise<Response>) =>
    route(deps, async (ctx) => {
      requireAdmin(await ctx.caller());
      return handle(ctx);
    });
  const none = { parse: "none" } as const;

  for (const [verb, disabled] of [
    ["disable", true],
    ["enable", false],
  ] as const) {
    app.post(
      `/accounts/:username/${verb}`,
      admin(async (ctx) => {
        await deps.accounts.setDisabled(ctx.params.username ?? "", disabled, await actor(ctx));
        return new Response(null, { status: 204 });
      }),
      none,
    );
  }

  return app
    .get(
      "/accounts",
      admin(async () => jsonResponse({ accounts: (await deps.accounts.list()).map(accountJson) })),
    )
    .post(
      "/accounts",
      admin(async (ctx) => {
        const body = await readJsonObject(ctx.request);
        const accountType = stringField(body, "account_type");
        if (accountType !== "human" && accountType !== "system") {
          throw new ApiError(400, 'account_type must be "human" or "system"');
        }
        const password = body.password;
        if (password !== undefined && typeof password !== "string") {
          throw new ApiError(400, "password must be a string");
        }
        const account = await deps.accounts.create(
          {
            username: stringField(body, "username"),
            accountType: accountType as AccountType,
            roles: stringListField(body, "roles"),
            password,
          },
          await actor(ctx),
        );
        return jsonResponse(accountJson(account), { status: 201 });
      }),
      none,
    )
    .put(
      "/accounts/:username/password",
      admin(async (ctx) => {
        const body = await readJsonObject(ctx.request);
        await deps.accounts.setPassword(
          ctx.params.username ?? "",
          stringField(body, "password"),
          await actor(ctx),
        );
        return new Response(null, { status: 204 });
      }),
      none,
    )
    .get(
      "/accounts/:username/tokens",
      admin(async (ctx) =>
        jsonResponse({
          tokens: (await deps.accounts.listTokens(ctx.params.username ?? "")).map(tokenJson),
        }),
      ),
    )
    .post(
      "/accounts/:username/tokens",
      admin(async (ctx) => {
        const body = await readJsonObject(ctx.request);
        const ttl = body.ttl === undefined ? null : parseDuration(body.ttl);
        if ((ttl === null || ttl <= 0) && body.ttl !== undefined) {
          throw new ApiError(400, "ttl must be a duration such as 90d, or absent for no expiry");
        }
        const issued = await deps.accounts.createApiToken(
          ctx.params.username ?? "",
          {
            description: typeof body.description === "string" ? body.description : "",
            ttlSeconds: ttl,
          },
          await actor(ctx),
        );
        // The secret is shown this once; MCR keeps only its hash.
        return jsonResponse(
          {
            id: issued.id,
            token: issued.secret,
            expires_at: issued.expiresAt ? new Date(issued.expiresAt).toISOString() : null,
          },
          { status: 201 },
        );
      }),
      none,
    )
    .delete(
      "/accounts/:username/tokens/:id",
      admin(async (ctx) => {
        await deps.accounts.revokeToken(
          ctx.params.username ?? "",
          ctx.params.id ?? "",
          await actor(ctx),
        );
        return new Response(null, { status: 204 });
      }),
      none,
    );
}

async function actor(ctx: RestRequest) {
  return { name: (await ctx.caller()).username, clientAddress: ctx.clientAddress };
}

function accountJson(account: AccountRecord) {
  return {
    id: account.id,
    username: account.username,
    account_type: account.accountType,
    roles: account.roles,
    disabled: account.disabled,
    created_at: new Date(account.createdAt).toISOString(),
  };
}

function tokenJson(token: TokenRecord) {
  return {
    id: token.id,
    kind: token.kind,
    description: token.description,
    created_at: new Date(token.createdAt).toISOString(),
    expires_at: token.expiresAt ? new Date(token.expiresAt).toISOString() : null,
    revoked: token.revokedAt !== null,
  };
}

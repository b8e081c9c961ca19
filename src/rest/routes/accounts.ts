import type { AdminApi } from "../../api/admin-api.ts";
import type { AccountRecord } from "../../db/accounts.ts";
import type { TokenRecord } from "../../db/tokens.ts";
import { jsonResponse } from "../../server/json-response.ts";
import { OWN_BODY, type RestApp, route } from "../context.ts";
import { readJsonObject } from "../json-body.ts";

const noContent = () => new Response(null, { status: 204 });

/** Accounts of the local provider and their API tokens; admins only. */
export function accountRoutes(app: RestApp, api: AdminApi) {
  for (const [verb, disabled] of [
    ["disable", true],
    ["enable", false],
  ] as const) {
    app.post(
      `/accounts/:username/${verb}`,
      route(api, async (ctx) => {
        await api.accounts.setDisabled(await ctx.caller(), ctx.params.username ?? "", disabled);
        return noContent();
      }),
      OWN_BODY,
    );
  }

  return app
    .get(
      "/accounts",
      route(api, async (ctx) =>
        jsonResponse({ accounts: (await api.accounts.list(await ctx.caller())).map(accountJson) }),
      ),
    )
    .post(
      "/accounts",
      route(api, async (ctx) => {
        const caller = await ctx.caller();
        const body = await readJsonObject(ctx.request);
        const account = await api.accounts.create(caller, {
          username: body.string("username"),
          accountType: body.string("account_type"),
          roles: body.optionalStringList("roles") ?? [],
          password: body.optionalString("password"),
        });
        return jsonResponse(accountJson(account), { status: 201 });
      }),
      OWN_BODY,
    )
    .put(
      "/accounts/:username/password",
      route(api, async (ctx) => {
        const caller = await ctx.caller();
        const body = await readJsonObject(ctx.request);
        await api.accounts.setPassword(caller, ctx.params.username ?? "", body.string("password"));
        return noContent();
      }),
      OWN_BODY,
    )
    .get(
      "/accounts/:username/tokens",
      route(api, async (ctx) => {
        const tokens = await api.accounts.listTokens(await ctx.caller(), ctx.params.username ?? "");
        return jsonResponse({ tokens: tokens.map(tokenJson) });
      }),
    )
    .post(
      "/accounts/:username/tokens",
      route(api, async (ctx) => {
        const caller = await ctx.caller();
        const body = await readJsonObject(ctx.request);
        const issued = await api.accounts.createToken(caller, ctx.params.username ?? "", {
          description: body.optionalString("description") ?? "",
          ttl: body.optionalDuration("ttl"),
        });
        return jsonResponse(
          { id: issued.id, token: issued.secret, expires_at: isoOrNull(issued.expiresAt) },
          { status: 201 },
        );
      }),
      OWN_BODY,
    )
    .delete(
      "/accounts/:username/tokens/:id",
      route(api, async (ctx) => {
        await api.accounts.revokeToken(
          await ctx.caller(),
          ctx.params.username ?? "",
          ctx.params.id ?? "",
        );
        return noContent();
      }),
      OWN_BODY,
    );
}

function isoOrNull(millis: number | null): string | null {
  return millis === null ? null : new Date(millis).toISOString();
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
    expires_at: isoOrNull(token.expiresAt),
    revoked: token.revokedAt !== null,
  };
}

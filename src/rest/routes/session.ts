import type { AdminApi } from "../../api/admin-api.ts";
import { jsonResponse } from "../../server/json-response.ts";
import { OWN_BODY, type RestApp, route } from "../context.ts";
import { readJsonObject } from "../json-body.ts";

/** GET /v1/health, POST /v1/auth/login and POST /v1/auth/logout. */
export function sessionRoutes(app: RestApp, api: AdminApi) {
  return app
    .get(
      "/health",
      route(api, () => jsonResponse(api.sessions.health())),
    )
    .post(
      "/auth/login",
      route(api, async (ctx) => {
        const body = await readJsonObject(ctx.request);
        const session = await api.sessions.login(
          body.string("username"),
          body.string("password"),
          ctx.clientAddress,
        );
        return jsonResponse({
          token: session.token,
          expires_at: new Date(session.expiresAt).toISOString(),
          username: session.identity.username,
          roles: session.identity.roles,
        });
      }),
      OWN_BODY,
    )
    .post(
      "/auth/logout",
      route(api, async (ctx) => {
        await api.sessions.logout(ctx.request.headers.get("authorization"), ctx.clientAddress);
        return new Response(null, { status: 204 });
      }),
      OWN_BODY,
    );
}

import { jsonResponse } from "../../server/json-response.ts";
import { ApiError } from "../api-error.ts";
import { type RestApp, type RestDependencies, route } from "../context.ts";
import { readJsonObject, stringField } from "../json-body.ts";

/** GET /v1/health, POST /v1/auth/login and POST /v1/auth/logout. */
export function sessionRoutes(app: RestApp, deps: RestDependencies) {
  return app
    .get(
      "/health",
      route(deps, () => jsonResponse({ status: "ok", version: deps.version })),
    )
    .post(
      "/auth/login",
      route(deps, async (ctx) => {
        if (!deps.identity)
          throw new ApiError(404, "this registry has no accounts (auth provider none)");
        const body = await readJsonObject(ctx.request);
        const session = await deps.identity.sessions.login(
          stringField(body, "username"),
          stringField(body, "password"),
          ctx.clientAddress,
        );
        if (!session) throw new ApiError(401, "invalid username or password");
        return jsonResponse({
          token: session.token,
          expires_at: new Date(session.expiresAt).toISOString(),
          username: session.identity.username,
          roles: session.identity.roles,
        });
      }),
      { parse: "none" },
    )
    .post(
      "/auth/logout",
      route(deps, async (ctx) => {
        const header = ctx.request.headers.get("authorization") ?? "";
        const token = /^bearer\s+(.+)$/i.exec(header)?.[1];
        if (!deps.identity || !token)
          throw new ApiError(401, "log out with the session's bearer token");
        if (!(await deps.identity.sessions.logout(token, ctx.clientAddress))) {
          throw new ApiError(401, "not a live session token");
        }
        return new Response(null, { status: 204 });
      }),
      { parse: "none" },
    );
}

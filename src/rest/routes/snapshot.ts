import type { AdminApi } from "../../api/admin-api.ts";
import { jsonResponse } from "../../server/json-response.ts";
import { OWN_BODY, type RestApp, route } from "../context.ts";

/** POST /v1/snapshot: a consistent copy of the metadata database, made while serving. */
export function snapshotRoutes(app: RestApp, api: AdminApi) {
  app.post(
    "/snapshot",
    route(api, async (ctx) =>
      jsonResponse(await api.snapshots.create(await ctx.caller()), { status: 201 }),
    ),
    OWN_BODY,
  );
}

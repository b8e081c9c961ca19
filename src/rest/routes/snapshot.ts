import { jsonResponse } from "../../server/json-response.ts";
import { requireAdmin } from "../caller.ts";
import { type RestApp, type RestDependencies, route } from "../context.ts";

/** POST /v1/snapshot: a consistent copy of the metadata database, made while serving. */
export function snapshotRoutes(app: RestApp, deps: RestDependencies) {
  app.post(
    "/snapshot",
    route(deps, async (ctx) => {
      const caller = await ctx.caller();
      requireAdmin(caller);
      const snapshot = await deps.snapshots.create({
        name: caller.username,
        clientAddress: ctx.clientAddress,
      });
      return jsonResponse(snapshot, { status: 201 });
    }),
    { parse: "none" },
  );
}

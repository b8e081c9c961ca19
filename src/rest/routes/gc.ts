import { type GcReport, GcRunningError, type GcStatus } from "../../gc/garbage-collector.ts";
import { jsonResponse } from "../../server/json-response.ts";
import { ApiError } from "../api-error.ts";
import { requireAdmin } from "../caller.ts";
import { type RestApp, type RestDependencies, route } from "../context.ts";
import { readJsonObject } from "../json-body.ts";

/** POST /v1/gc starts a collection (202; 409 while one runs); GET /v1/gc/status; admins. */
export function gcRoutes(app: RestApp, deps: RestDependencies) {
  app.post(
    "/gc",
    route(deps, async (ctx) => {
      const caller = await ctx.caller();
      requireAdmin(caller);
      const body = await readJsonObject(ctx.request);
      if (body.reconcile !== undefined && typeof body.reconcile !== "boolean") {
        throw new ApiError(400, "reconcile must be true or false");
      }
      try {
        deps.gc.start({ reconcile: body.reconcile === true, actor: caller.username });
      } catch (error) {
        if (error instanceof GcRunningError)
          throw new ApiError(409, "a collection is already running");
        throw error;
      }
      return jsonResponse(statusJson(deps.gc.status()), { status: 202 });
    }),
    { parse: "none" },
  );
  app.get(
    "/gc/status",
    route(deps, async (ctx) => {
      requireAdmin(await ctx.caller());
      return jsonResponse(statusJson(deps.gc.status()));
    }),
  );
}

/** The API speaks snake_case; the collector's report is camelCase inside. */
function statusJson(status: GcStatus) {
  return {
    state: status.state,
    phase: status.phase,
    current: status.current ? reportJson(status.current) : null,
    last: status.last ? reportJson(status.last) : null,
  };
}

function reportJson(report: GcReport) {
  return {
    started_at: report.startedAt,
    finished_at: report.finishedAt,
    reconcile: report.reconcile,
    grace_period_seconds: report.gracePeriodSeconds,
    manifests_deleted: report.manifestsDeleted,
    links_deleted: report.linksDeleted,
    repositories_deleted: report.repositoriesDeleted,
    blobs_deleted: report.blobsDeleted,
    bytes_freed: report.bytesFreed,
    orphan_files_deleted: report.orphanFilesDeleted,
    rows_without_file: report.rowsWithoutFile,
    error: report.error,
  };
}

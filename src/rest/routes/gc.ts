import type { AdminApi } from "../../api/admin-api.ts";
import type { GcReport, GcStatus } from "../../gc/garbage-collector.ts";
import { jsonResponse } from "../../server/json-response.ts";
import { OWN_BODY, type RestApp, route } from "../context.ts";
import { readJsonObject } from "../json-body.ts";

/** POST /v1/gc starts a collection (202; 409 while one runs); GET /v1/gc/status. */
export function gcRoutes(app: RestApp, api: AdminApi) {
  app.post(
    "/gc",
    route(api, async (ctx) => {
      const caller = await ctx.caller();
      const body = await readJsonObject(ctx.request);
      const status = api.gc.start(caller, {
        reconcile: body.optionalBoolean("reconcile") ?? false,
        gracePeriod: body.optionalDuration("grace_period"),
      });
      return jsonResponse(statusJson(status), { status: 202 });
    }),
    OWN_BODY,
  );
  app.get(
    "/gc/status",
    route(api, async (ctx) => jsonResponse(statusJson(api.gc.status(await ctx.caller())))),
  );
}

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

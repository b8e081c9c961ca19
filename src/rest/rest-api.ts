import { Elysia } from "elysia";
import type { AdminApi } from "../api/admin-api.ts";
import { jsonResponse } from "../server/json-response.ts";
import { apiErrorResponse } from "./api-error.ts";
import { accountRoutes } from "./routes/accounts.ts";
import { auditRoutes } from "./routes/audit.ts";
import { gcRoutes } from "./routes/gc.ts";
import { policyRoutes } from "./routes/policy.ts";
import { repositoryRoutes } from "./routes/repositories.ts";
import { sessionRoutes } from "./routes/session.ts";
import { snapshotRoutes } from "./routes/snapshot.ts";

/** The admin REST API under /v1: JSON in and out, over the transport-neutral admin API. */
export function createRestApi(api: AdminApi) {
  const app = new Elysia({ prefix: "/v1" });
  sessionRoutes(app, api);
  accountRoutes(app, api);
  policyRoutes(app, api);
  auditRoutes(app, api);
  gcRoutes(app, api);
  snapshotRoutes(app, api);
  repositoryRoutes(app, api);
  app.onError(({ error, code }) => {
    if (code === "NOT_FOUND") return jsonResponse({ error: "no such endpoint" }, { status: 404 });
    return apiErrorResponse(error);
  });
  return app;
}

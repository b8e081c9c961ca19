import { Elysia } from "elysia";
import { jsonResponse } from "../server/json-response.ts";
import { apiErrorResponse } from "./api-error.ts";
import type { RestDependencies } from "./context.ts";
import { accountRoutes } from "./routes/accounts.ts";
import { auditRoutes } from "./routes/audit.ts";
import { gcRoutes } from "./routes/gc.ts";
import { policyRoutes } from "./routes/policy.ts";
import { repositoryRoutes } from "./routes/repositories.ts";
import { sessionRoutes } from "./routes/session.ts";
import { snapshotRoutes } from "./routes/snapshot.ts";

/** The admin REST API under /v1: thin routes over the account, policy and audit services. */
export function createRestApi(deps: RestDependencies) {
  const app = new Elysia({ prefix: "/v1" });
  sessionRoutes(app, deps);
  accountRoutes(app, deps);
  policyRoutes(app, deps);
  auditRoutes(app, deps);
  gcRoutes(app, deps);
  snapshotRoutes(app, deps);
  repositoryRoutes(app, deps);
  app.onError(({ error, code }) => {
    if (code === "NOT_FOUND") return jsonResponse({ error: "no such endpoint" }, { status: 404 });
    return apiErrorResponse(error);
  });
  return app;
}

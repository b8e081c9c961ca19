import { Code, ConnectError } from "@connectrpc/connect";
import { html as htmlPlugin } from "@elysiajs/html";
import { Elysia } from "elysia";
import type { Logger } from "../log/logger.ts";
import { webErrorOf } from "./api-errors.ts";
import { assetResponse } from "./assets.ts";
import { SESSION_COOKIE, setCookie } from "./cookies.ts";
import { accountRoutes } from "./pages/accounts.ts";
import { auditRoutes } from "./pages/audit.ts";
import { dashboardRoutes } from "./pages/dashboard.ts";
import { errorPage } from "./pages/error-page.ts";
import { loginRoutes } from "./pages/login.ts";
import { manifestRoutes } from "./pages/manifest.ts";
import { policyRoutes } from "./pages/policies.ts";
import { repositoriesRoutes } from "./pages/repositories.ts";
import { repositoryRoutes } from "./pages/repository.ts";
import { htmlResponse, redirectTo } from "./responses.ts";
import { addSecurityHeaders } from "./security-headers.ts";
import { sessionOf, type Visit, visitOf, type WebDependencies } from "./visit.ts";
import { Redirect, WebError } from "./web-error.ts";

/** Handles one request of the web UI. */
export type WebHandler = (request: Request) => Promise<Response>;

/**
 * The web UI: pages rendered on the server from the admin API's answers, HTMX for the few
 * in-place updates, and the security headers on every answer.
 */
export function createWebApp(deps: WebDependencies, log: Logger): WebHandler {
  const app = new Elysia()
    .use(htmlPlugin({ contentType: "text/html; charset=utf-8" }))
    .onError(({ error, request, code }) => errorResponse(deps, log, request, error, code))
    .get("/assets/*", ({ request }) => {
      const asset = assetResponse(new URL(request.url).pathname);
      if (!asset) throw new WebError(404, "Not found", "There is no such file.");
      return asset;
    })
    .use(loginRoutes(deps))
    .use(dashboardRoutes(deps))
    .use(repositoriesRoutes(deps))
    .use(repositoryRoutes(deps))
    .use(manifestRoutes(deps))
    .use(policyRoutes(deps))
    .use(auditRoutes(deps))
    .use(accountRoutes(deps));

  return async (request) => {
    const response = hasMalformedEscape(request)
      ? htmlResponse(errorPage(MALFORMED_ADDRESS, visitOrNull(deps, request)), 400)
      : await app.handle(request);
    return addSecurityHeaders(response, deps.tls);
  };
}

const MALFORMED_ADDRESS = new WebError(
  400,
  "Bad request",
  "The address has a malformed % escape, so it names no page.",
);

/**
 * Whether the path holds a `%` escape that decodes to nothing (`/accounts/%ZZ`): the router
 * would hand the page an empty or garbled name, and the API's answer would not say why.
 */
function hasMalformedEscape(request: Request): boolean {
  try {
    decodeURIComponent(new URL(request.url).pathname);
    return false;
  } catch {
    return true;
  }
}

/**
 * Every failure as a page a person can read: the login page for a missing or revoked
 * session, the API's own message for its refusals, and nothing of the internals for a fault.
 */
function errorResponse(
  deps: WebDependencies,
  log: Logger,
  request: Request,
  error: unknown,
  code: string | number,
): Response {
  const htmx = request.headers.get("hx-request") === "true";
  if (error instanceof Redirect) return redirectTo(error.location, { htmx });

  const refusal = error instanceof ConnectError ? error : null;
  if (refusal?.code === Code.Unauthenticated) {
    // The API session ended (expired, revoked elsewhere): so does this one.
    const session = sessionOf(deps, request);
    if (session) deps.sessions.delete(session.id);
    const cleared = setCookie(SESSION_COOKIE, "", { maxAgeSeconds: 0, secure: deps.tls });
    return redirectTo("/login", { cookies: [cleared], htmx });
  }

  let page: WebError;
  if (error instanceof WebError) page = error;
  else if (refusal) page = webErrorOf(refusal);
  else if (code === "NOT_FOUND") page = new WebError(404, "Not found", "There is no such page.");
  else if (code === "PARSE" || code === "VALIDATION") {
    page = new WebError(400, "Bad request", "The request could not be read.");
  } else {
    log.error("web request failed", {
      path: new URL(request.url).pathname,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    page = new WebError(500, "Something went wrong", "The web UI failed; the log says why.");
  }
  return htmlResponse(errorPage(page, visitOrNull(deps, request)), page.status);
}

function visitOrNull(deps: WebDependencies, request: Request): Visit | null {
  try {
    return visitOf(deps, request);
  } catch {
    return null;
  }
}

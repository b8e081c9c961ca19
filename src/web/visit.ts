import type { ApiClients, ApiConnection } from "./api-client.ts";
import { readCookies, SESSION_COOKIE } from "./cookies.ts";
import { csrfField, isSameOrigin, sentCsrfToken, tokensMatch } from "./csrf.ts";
import type { SafeHtml } from "./html.ts";
import type { SessionStore, WebSession } from "./session-store.ts";
import { Redirect, WebError } from "./web-error.ts";

/** What every route of the UI needs. */
export interface WebDependencies {
  api: ApiConnection;
  sessions: SessionStore;
  /** The UI is served over TLS: cookies are Secure. */
  tls: boolean;
  /** The registry's host (and port) as `docker pull` names it, for pull commands. */
  registryHost: string;
}

/** A signed-in user's request: their session, the API as them, and their forms' CSRF field. */
export interface Visit {
  session: WebSession;
  api: ApiClients;
  isAdmin: boolean;
  csrf: SafeHtml;
  /** An HTMX request, which wants a fragment rather than a whole page. */
  htmx: boolean;
}

/** The session a request's cookie names, or null. */
export function sessionOf(deps: WebDependencies, request: Request): WebSession | null {
  return deps.sessions.get(readCookies(request).get(SESSION_COOKIE));
}

/** The signed-in visit; anyone else is sent to the login page. */
export function visitOf(deps: WebDependencies, request: Request): Visit {
  const session = sessionOf(deps, request);
  if (!session) throw new Redirect("/login");
  return {
    session,
    api: deps.api.as(session.apiToken),
    isAdmin: session.roles.includes("admin"),
    csrf: csrfField(session.csrfToken),
    htmx: request.headers.get("hx-request") === "true",
  };
}

/** The signed-in visit of an admin; others get a refusal without the API being asked. */
export function adminVisitOf(deps: WebDependencies, request: Request): Visit {
  const visit = visitOf(deps, request);
  if (!visit.isAdmin) {
    throw new WebError(403, "Not allowed", "This page is for administrators.");
  }
  return visit;
}

/**
 * The fields of a state-changing request after its CSRF checks: it must come from this site
 * and carry this session's token. Anything else is refused before it changes anything.
 */
export function checkedForm(visit: Visit, request: Request, body: unknown): Record<string, string> {
  const form = formOf(body);
  if (
    !isSameOrigin(request) ||
    !tokensMatch(sentCsrfToken(request, form), visit.session.csrfToken)
  ) {
    throw new WebError(
      403,
      "Form expired",
      "This form could not be verified (CSRF check). Reload the page and try again.",
    );
  }
  return form;
}

/** A urlencoded body as text fields; a repeated field keeps its first value. */
export function formOf(body: unknown): Record<string, string> {
  const form: Record<string, string> = {};
  if (!body || typeof body !== "object") return form;
  for (const [name, value] of Object.entries(body)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string") form[name] = first;
  }
  return form;
}

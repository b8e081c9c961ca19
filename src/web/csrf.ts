import { timingSafeEqual } from "node:crypto";
import { html, type SafeHtml } from "./html.ts";

/** The form field that carries the CSRF token. */
export const CSRF_FIELD = "_csrf";

/** The header HTMX (or any script) may send it in instead. */
export const CSRF_HEADER = "x-csrf-token";

/** The hidden field every state-changing form includes. */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

/** Compares tokens in constant time; an empty or missing one never matches. */
export function tokensMatch(sent: string | undefined | null, expected: string): boolean {
  if (!sent || !expected) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * False when the browser says the request comes from another site. Browsers that send
 * `Sec-Fetch-Site` are believed; otherwise `Origin`, when present, must name this host.
 * Clients that send neither (curl, tests) still need the token.
 */
export function isSameOrigin(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site) return site === "same-origin" || site === "none";
  const origin = request.headers.get("origin");
  if (!origin) return true;
  try {
    return new URL(origin).host === (request.headers.get("host") ?? new URL(request.url).host);
  } catch {
    // "null" (a sandboxed or privacy-restricted origin) is no proof of this site.
    return false;
  }
}

/** The token a request sent, from its header or its form. */
export function sentCsrfToken(request: Request, form: Record<string, string>): string | null {
  return request.headers.get(CSRF_HEADER) ?? form[CSRF_FIELD] ?? null;
}

/**
 * Scripts and styles come from this origin only (HTMX and the stylesheet), so an injected
 * inline script cannot run; no site may frame the UI; forms post only here.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/** Adds the UI's security headers to every answer, pages and errors alike. */
export function addSecurityHeaders(response: Response, tls: boolean): Response {
  const headers = response.headers;
  headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  headers.set("X-Frame-Options", "DENY");
  // same-origin, not no-referrer: with no-referrer, Chrome sends `Origin: null` on form posts.
  headers.set("Referrer-Policy", "same-origin");
  headers.set("X-Content-Type-Options", "nosniff");
  if (!headers.has("Cache-Control")) headers.set("Cache-Control", "no-store");
  if (tls) headers.set("Strict-Transport-Security", "max-age=31536000");
  return response;
}

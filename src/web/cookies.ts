/** The cookie that names a browser's session. */
export const SESSION_COOKIE = "mcr_session";

/** The cookie a login form's CSRF field must match (double submit: there is no session yet). */
export const LOGIN_COOKIE = "mcr_login";

/** The cookies a request carries, by name. */
export function readCookies(request: Request): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const separator = part.indexOf("=");
    if (separator < 0) continue;
    const name = part.slice(0, separator).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(separator + 1).trim());
  }
  return cookies;
}

/**
 * A Set-Cookie value that scripts cannot read, that no other site's request carries, and that
 * is sent over TLS only when the UI is served with TLS. `maxAgeSeconds` 0 deletes it.
 */
export function setCookie(
  name: string,
  value: string,
  options: { maxAgeSeconds: number; secure: boolean },
): string {
  const attributes = [
    `${name}=${value}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
  ];
  if (options.secure) attributes.push("Secure");
  return attributes.join("; ");
}

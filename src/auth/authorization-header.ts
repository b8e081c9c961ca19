/** Credentials an Authorization header carries. */
export type Credentials =
  | { scheme: "basic"; username: string; password: string }
  | { scheme: "bearer"; token: string };

/**
 * Reads an Authorization header. Returns null when there is none, and "malformed" for one
 * that cannot be read (which is then treated as wrong credentials, not as anonymous).
 */
export function parseAuthorization(header: string | null): Credentials | null | "malformed" {
  if (!header) return null;
  const space = header.indexOf(" ");
  if (space < 0) return "malformed";
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();

  if (scheme === "bearer") return value ? { scheme: "bearer", token: value } : "malformed";
  if (scheme !== "basic") return "malformed";
  // Buffer.from ignores junk after valid base64; credentials must be base64 and nothing else.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return "malformed";
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return "malformed";
  return { scheme: "basic", username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

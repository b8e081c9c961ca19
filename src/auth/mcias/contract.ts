import type { AccountType, Identity } from "../identity.ts";

/**
 * The HTTP contract of MCIAS, the external identity service. Every path, status and field name
 * MCR relies on is here, and nowhere else.
 *
 * Login: `POST {server_url}/v1/auth/login` with the JSON body
 * `{"username", "password", "service_name", "tags": [...]}`.
 * - 200 `{"token": "...", "expires_at": "<RFC 3339>"}`: the credentials are good.
 * - 401: wrong username or password. 403: the account is disabled. MCR treats both as wrong
 *   credentials, so a client cannot tell which accounts exist.
 *
 * Token validation: `POST {server_url}/v1/token/validate` with `Authorization: Bearer <token>`
 * and the body `{}`.
 * - 200 `{"valid": true, "sub": "<account id>", "username": "...",
 *   "account_type": "human" | "system", "roles": [...], "expires_at": "<RFC 3339>"}`.
 * - 200 `{"valid": false}` or 401: the token is revoked, expired or unknown.
 *
 * Any other status, and any body that does not have these fields with these types, means the
 * service cannot be trusted to answer right now: the parsers below return null for such a
 * body and the provider reports the service unavailable.
 */

/** Where the login call goes, after `server_url`. */
export const LOGIN_PATH = "/v1/auth/login";

/** Where the token validation call goes, after `server_url`. */
export const VALIDATE_PATH = "/v1/token/validate";

/** Login statuses meaning "these credentials do not get in": 401 wrong, 403 disabled. */
export const LOGIN_REJECTED_STATUSES: ReadonlySet<number> = new Set([401, 403]);

/** The validation status meaning "this token is not valid", besides 200 `{"valid": false}`. */
export const VALIDATE_REJECTED_STATUSES: ReadonlySet<number> = new Set([401]);

/** The JSON body of a login call, spelled as the service expects it. */
export interface LoginRequestBody {
  username: string;
  password: string;
  service_name: string;
  tags: string[];
}

/** A token the service issued at login. */
export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/** What the service says about a token. */
export type TokenValidation =
  | { valid: true; identity: Identity; expiresAt: Date }
  | { valid: false };

/** The body of a login call for these credentials and this service. */
export function loginRequestBody(
  username: string,
  password: string,
  serviceName: string,
  tags: string[],
): LoginRequestBody {
  return { username, password, service_name: serviceName, tags };
}

/** The headers of a validation call for `token`. */
export function validateRequestHeaders(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
}

/** The body of a successful login, or null when it does not follow the contract. */
export function parseLoginResponse(body: unknown): IssuedToken | null {
  if (!isRecord(body)) return null;

  const expiresAt = parseTimestamp(body.expires_at);
  if (!isNonEmptyString(body.token) || !expiresAt) return null;
  return { token: body.token, expiresAt };
}

/** The body of a 200 validation answer, or null when it does not follow the contract. */
export function parseValidateResponse(body: unknown): TokenValidation | null {
  if (!isRecord(body) || typeof body.valid !== "boolean") return null;
  if (!body.valid) return { valid: false };

  const { sub, username, account_type: accountType, roles } = body;
  const expiresAt = parseTimestamp(body.expires_at);
  if (!isNonEmptyString(sub) || !isNonEmptyString(username)) return null;
  if (!isAccountType(accountType) || !isStringArray(roles) || !expiresAt) return null;

  return {
    valid: true,
    identity: { id: sub, username, accountType, roles: [...roles] },
    expiresAt,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function isAccountType(value: unknown): value is AccountType {
  return value === "human" || value === "system";
}

/** RFC 3339 date and time, with a zone: `2026-01-02T03:04:05Z` or `...+02:00`. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function parseTimestamp(value: unknown): Date | null {
  if (typeof value !== "string" || !RFC3339.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

import { AccountError } from "../auth/account-service.ts";
import { IdentityUnavailableError } from "../auth/identity-provider.ts";
import { PolicyInputError, PolicyRuleNotFoundError } from "../policy/policy-service.ts";
import { RegistryError } from "../registry/registry-error.ts";
import { jsonResponse } from "../server/json-response.ts";

/** A refusal of the admin REST API: an HTTP status and a message saying what was wrong. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * The one table from service failures to REST answers, `{"error": "..."}` with the status
 * that fits. Anything else is unexpected and rethrown for the server's 500.
 */
export function apiErrorResponse(error: unknown): Response {
  if (error instanceof ApiError) return errorJson(error.status, error.message);
  if (error instanceof AccountError) {
    const status = { invalid: 400, exists: 409, "not-found": 404 }[error.kind];
    return errorJson(status, error.message);
  }
  if (error instanceof PolicyInputError) return errorJson(400, error.message);
  if (error instanceof RegistryError) {
    const notFound = ["name-unknown", "manifest-unknown", "blob-unknown"].includes(error.kind);
    return errorJson(notFound ? 404 : 400, error.message);
  }
  if (error instanceof PolicyRuleNotFoundError) return errorJson(404, error.message);
  if (error instanceof IdentityUnavailableError) {
    return errorJson(503, "identity service unavailable; try again later");
  }
  throw error;
}

function errorJson(status: number, message: string): Response {
  const headers: Record<string, string> = {};
  if (status === 401) headers["WWW-Authenticate"] = 'Bearer realm="mcr"';
  return jsonResponse({ error: message }, { status, headers });
}

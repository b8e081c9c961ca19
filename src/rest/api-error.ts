import { type ApiErrorKind, asApiError } from "../api/api-error.ts";
import { jsonResponse } from "../server/json-response.ts";

/** A refusal only HTTP has words for, such as 405 and 413. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

const STATUS_OF: Record<ApiErrorKind, number> = {
  "invalid-argument": 400,
  unauthenticated: 401,
  "permission-denied": 403,
  "not-found": 404,
  "already-exists": 409,
  "failed-precondition": 409,
  "resource-exhausted": 429,
  unavailable: 503,
};

/**
 * Admin API refusals as REST answers: `{"error": "..."}` with the status that fits.
 * Anything else is unexpected and rethrown for the server's 500.
 */
export function apiErrorResponse(error: unknown): Response {
  if (error instanceof HttpError) return errorJson(error.status, error.message);
  const refusal = asApiError(error);
  if (!refusal) throw error;
  return errorJson(STATUS_OF[refusal.kind], refusal.message, refusal.retryAfterSeconds);
}

function errorJson(status: number, message: string, retryAfterSeconds?: number): Response {
  const headers: Record<string, string> = {};
  if (status === 401) headers["WWW-Authenticate"] = 'Bearer realm="mcr"';
  if (retryAfterSeconds !== undefined) headers["Retry-After"] = String(retryAfterSeconds);
  return jsonResponse({ error: message }, { status, headers });
}

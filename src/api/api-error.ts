import { AccountError } from "../auth/account-service.ts";
import { IdentityUnavailableError } from "../auth/identity-provider.ts";
import { LoginThrottledError } from "../auth/login-throttle.ts";
import { GcRunningError } from "../gc/garbage-collector.ts";
import { PolicyInputError, PolicyRuleNotFoundError } from "../policy/policy-service.ts";
import { RegistryError } from "../registry/registry-error.ts";
import { isOutOfSpace, OUT_OF_SPACE_MESSAGE } from "../storage/out-of-space.ts";

/**
 * Why the admin API refused a call, in words both transports have: REST turns the kind into
 * an HTTP status, RPC into a Connect code.
 */
export type ApiErrorKind =
  | "invalid-argument"
  | "unauthenticated"
  | "permission-denied"
  | "not-found"
  | "already-exists"
  | "failed-precondition"
  | "resource-exhausted"
  | "unavailable";

/** A refusal of the admin API with a message that says what was wrong. */
export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    /** For resource-exhausted: seconds before a retry can succeed. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * The one table from the services' own failures to API refusals. Null means the error was
 * not expected: a bug or a broken disk, which the transports log and answer as internal.
 */
export function asApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof AccountError) {
    const kind = (
      {
        invalid: "invalid-argument",
        exists: "already-exists",
        "not-found": "not-found",
        "last-admin": "failed-precondition",
      } as const
    )[error.kind];
    return new ApiError(kind, error.message);
  }
  if (error instanceof PolicyInputError) return new ApiError("invalid-argument", error.message);
  if (error instanceof PolicyRuleNotFoundError) return new ApiError("not-found", error.message);
  if (error instanceof RegistryError) {
    const notFound = ["name-unknown", "manifest-unknown", "blob-unknown"].includes(error.kind);
    return new ApiError(notFound ? "not-found" : "invalid-argument", error.message);
  }
  if (error instanceof GcRunningError) {
    return new ApiError("failed-precondition", "a collection is already running");
  }
  if (error instanceof LoginThrottledError) {
    return new ApiError("resource-exhausted", error.message, error.retryAfterSeconds);
  }
  if (error instanceof IdentityUnavailableError) {
    return new ApiError("unavailable", "identity service unavailable; try again later");
  }
  if (isOutOfSpace(error)) return new ApiError("unavailable", OUT_OF_SPACE_MESSAGE);
  return null;
}

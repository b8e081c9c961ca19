import { Code, ConnectError } from "@connectrpc/connect";
import { WebError } from "./web-error.ts";

/** True when the admin API could not be reached or did not answer in time. */
export function isRegistryDown(error: ConnectError): boolean {
  return error.code === Code.Unavailable || error.code === Code.DeadlineExceeded;
}

/**
 * The page for an admin API refusal: its message, which the API writes for people, under a
 * title that says what kind of refusal it is. Internal errors say only that: the API has
 * logged the detail, and a page is no place for it.
 */
export function webErrorOf(error: unknown): WebError {
  const refusal = ConnectError.from(error);
  if (isRegistryDown(refusal)) {
    return new WebError(
      503,
      "The registry is not answering",
      "The web UI cannot reach the registry's admin API. Check that the registry is running " +
        "and that mcr web's --api address points at its RPC listener, then reload this page.",
    );
  }
  switch (refusal.code) {
    case Code.PermissionDenied:
      return new WebError(403, "Not allowed", refusal.rawMessage);
    case Code.NotFound:
      return new WebError(404, "Not found", refusal.rawMessage);
    case Code.InvalidArgument:
    case Code.FailedPrecondition:
      return new WebError(400, "Cannot do that", refusal.rawMessage);
    case Code.AlreadyExists:
      return new WebError(409, "Already exists", refusal.rawMessage);
    case Code.Unauthenticated:
      return new WebError(401, "Signed out", refusal.rawMessage);
    case Code.ResourceExhausted:
      return new WebError(429, "Too many attempts", refusal.rawMessage);
    default:
      return new WebError(502, "The registry failed", "The admin API answered with an error.");
  }
}

/** The readable message of an API refusal, for a form that shows it beside its fields. */
export function refusalMessage(error: unknown): string {
  const page = webErrorOf(error);
  return page.status === 502 || page.status === 503 ? page.title : page.message;
}

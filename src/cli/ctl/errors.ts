/**
 * Why an admin call failed, in the words both transports share: the REST client reads them
 * from HTTP statuses, the gRPC client from Connect codes, so every command reports a failure
 * the same way whichever transport it used.
 */
export type CtlErrorKind =
  | "unreachable"
  | "unauthenticated"
  | "permission"
  | "invalid"
  | "not-found"
  | "conflict"
  /** Too many failed logins: the server says when to try again. */
  | "throttled"
  | "server";

/**
 * A failure of `mcr ctl` the operator can act on: exit code 1 and `message` as the one line
 * on standard error. `serverMessage` keeps what the server said, for callers that word the
 * failure differently (a wrong password at login is not an expired session).
 */
export class CtlError extends Error {
  constructor(
    readonly kind: CtlErrorKind,
    message: string,
    readonly serverMessage: string = message,
  ) {
    super(message);
    this.name = "CtlError";
  }
}

/**
 * A command line `mcr ctl` cannot run: an unknown command or option, a missing argument, a
 * flag value of the wrong form. Exit code 2, the message, then where the command's help is.
 */
export class UsageError extends Error {
  /** `commandPath`: the command whose help to point at, when it is not the one that ran. */
  constructor(
    message: string,
    readonly commandPath?: string[],
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** What `mcr ctl login` says in place of a refused session or token. */
export const LOGIN_HINT = "not logged in or the token expired; run `mcr ctl login`";

/**
 * The one line an operator reads for a refusal: the server's own words, except where the
 * kind says more (an expired session, a caller without the admin role).
 */
export function refusal(kind: CtlErrorKind, serverMessage: string): CtlError {
  switch (kind) {
    case "unauthenticated":
      return new CtlError(kind, LOGIN_HINT, serverMessage);
    case "permission":
      return new CtlError(
        kind,
        /is not an admin$/.test(serverMessage)
          ? `admin only: ${serverMessage}`
          : `not allowed: ${serverMessage}`,
        serverMessage,
      );
    case "server":
      return new CtlError(kind, `the server failed: ${serverMessage}`, serverMessage);
    default:
      return new CtlError(kind, serverMessage);
  }
}

/**
 * A server that could not be reached, with the low-level reason in plain words: "connection
 * refused", "certificate not trusted (pass --ca-cert)".
 */
export function unreachable(server: string, cause: unknown): CtlError {
  return new CtlError("unreachable", `cannot reach ${server}: ${networkReason(cause)}`);
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ConnectionRefused: "connection refused",
  ECONNRESET: "the connection was reset",
  ConnectionClosed: "the connection was closed",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  ETIMEDOUT: "timed out",
  TimeoutError: "timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  DEPTH_ZERO_SELF_SIGNED_CERT: "certificate not trusted (pass --ca-cert)",
  SELF_SIGNED_CERT_IN_CHAIN: "certificate not trusted (pass --ca-cert)",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "certificate not trusted (pass --ca-cert)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "certificate not trusted (pass --ca-cert)",
  ERR_TLS_CERT_ALTNAME_INVALID: "the certificate does not name this host",
  CERT_HAS_EXPIRED: "the certificate has expired",
  // An HTTP/1.1-only listener (the REST one) refuses an HTTP/2 connection preface.
  ERR_HTTP2_ERROR: "it does not speak gRPC (is this the RPC listener?)",
};

/** The plain-words reason of a network failure, looking through an error's causes. */
export function networkReason(cause: unknown): string {
  const seen = new Set<unknown>();
  let current = cause;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    const reason = (typeof code === "string" && REASONS[code]) || REASONS[current.name];
    if (reason) return reason;
    current = (current as { cause?: unknown }).cause;
  }
  return cause instanceof Error ? cause.message : String(cause);
}

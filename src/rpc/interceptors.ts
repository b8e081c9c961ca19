import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { AdminApi } from "../api/admin-api.ts";
import { type ApiErrorKind, asApiError } from "../api/api-error.ts";
import type { Logger } from "../log/logger.ts";
import { callerKey, peerAddressKey } from "./call-context.ts";

/** Methods anyone may call: they check credentials themselves, or need none. */
const PUBLIC_METHODS = new Set([
  "mcr.v1.AdminService/Health",
  "mcr.v1.AuthService/Login",
  "mcr.v1.AuthService/Logout",
]);

/** Services for admins only; policy methods ask the policy engine instead (policy:manage). */
const ADMIN_SERVICES = new Set([
  "mcr.v1.AccountService",
  "mcr.v1.AuditService",
  "mcr.v1.RegistryService",
]);
const ADMIN_METHODS = new Set(["mcr.v1.AdminService/CreateSnapshot"]);

const CODE_OF: Record<ApiErrorKind, Code> = {
  "invalid-argument": Code.InvalidArgument,
  unauthenticated: Code.Unauthenticated,
  "permission-denied": Code.PermissionDenied,
  "not-found": Code.NotFound,
  "already-exists": Code.AlreadyExists,
  "failed-precondition": Code.FailedPrecondition,
  "resource-exhausted": Code.ResourceExhausted,
  unavailable: Code.Unavailable,
};

/**
 * One log line per call: method, peer, code and duration. The request's headers and
 * messages are never logged, so neither is a token or a password.
 */
export function loggingInterceptor(log: Logger): Interceptor {
  return (next) => async (request) => {
    const started = performance.now();
    const fields = {
      method: `${request.service.typeName}/${request.method.name}`,
      peer: request.contextValues.get(peerAddressKey),
    };
    try {
      const response = await next(request);
      log.info("rpc", { ...fields, code: "ok", ms: elapsed(started) });
      return response;
    } catch (error) {
      const code = ConnectError.from(error).code;
      log.info("rpc", { ...fields, code: codeName(code), ms: elapsed(started) });
      throw error;
    }
  };
}

/** A code as the Connect protocol writes it on the wire ("not_found"), beside "ok". */
function codeName(code: Code): string {
  return Code[code].replace(/[A-Z]/g, (letter, at: number) =>
    at === 0 ? letter.toLowerCase() : `_${letter.toLowerCase()}`,
  );
}

/**
 * Turns the admin API's refusals into Connect codes. Anything else is a fault: it is logged
 * in full and the client learns only that it was internal.
 */
export function errorInterceptor(log: Logger): Interceptor {
  return (next) => async (request) => {
    try {
      return await next(request);
    } catch (error) {
      if (error instanceof ConnectError) throw error;
      const refusal = asApiError(error);
      if (refusal) {
        const metadata = new Headers();
        if (refusal.retryAfterSeconds !== undefined) {
          metadata.set("retry-after", String(refusal.retryAfterSeconds));
        }
        throw new ConnectError(refusal.message, CODE_OF[refusal.kind], metadata);
      }
      log.error("rpc failed", {
        method: `${request.service.typeName}/${request.method.name}`,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      throw new ConnectError("internal error", Code.Internal);
    }
  };
}

/**
 * Authenticates every call but the public ones from its Authorization header (a bearer token,
 * or Basic credentials), and refuses non-admins the admin-only services before they run.
 */
export function authInterceptor(api: AdminApi): Interceptor {
  return (next) => async (request) => {
    const method = `${request.service.typeName}/${request.method.name}`;
    if (PUBLIC_METHODS.has(method)) return next(request);
    const caller = await api.authenticate(
      request.header.get("authorization"),
      request.contextValues.get(peerAddressKey),
    );
    const adminOnly = ADMIN_SERVICES.has(request.service.typeName) || ADMIN_METHODS.has(method);
    if (adminOnly && !caller.identity.roles.includes("admin")) {
      throw new ConnectError(`${caller.identity.username} is not an admin`, Code.PermissionDenied);
    }
    request.contextValues.set(callerKey, caller);
    return next(request);
  };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

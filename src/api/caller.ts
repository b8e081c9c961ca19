import type { Actor } from "../audit/audit-log.ts";
import type { Authenticator } from "../auth/authenticator.ts";
import { parseAuthorization } from "../auth/authorization-header.ts";
import type { Identity } from "../auth/identity.ts";
import type { PolicyService } from "../policy/policy-service.ts";
import type { PolicyAction } from "../policy/rule.ts";
import { ApiError } from "./api-error.ts";

/** Who makes an admin call, and from where: what every operation checks and audits. */
export interface Caller {
  identity: Identity;
  clientAddress: string;
}

/** An open registry's admin API is as open as its /v2: every caller is an admin. */
export const OPEN_REGISTRY_IDENTITY: Identity = {
  id: "anonymous",
  username: "anonymous",
  accountType: "human",
  roles: ["admin"],
};

/**
 * The identity behind an Authorization header: a session or API token as a bearer token, or
 * Basic credentials. Registry tokens from /v2/token are for /v2 only and are refused here.
 * Without an authenticator (auth provider "none") everyone is the open registry's admin.
 */
export async function authenticate(
  authorization: string | null,
  authenticator: Authenticator | null,
  clientAddress: string,
): Promise<Caller> {
  if (!authenticator) return { identity: OPEN_REGISTRY_IDENTITY, clientAddress };
  const credentials = parseAuthorization(authorization);
  if (credentials === null) throw new ApiError("unauthenticated", "authentication required");
  if (credentials === "malformed") {
    throw new ApiError("unauthenticated", "the Authorization header cannot be read");
  }
  if (credentials.scheme === "basic") {
    const identity = await authenticator.verifyPassword(
      credentials.username,
      credentials.password,
      clientAddress,
    );
    if (!identity) throw new ApiError("unauthenticated", "invalid username or password");
    return { identity, clientAddress };
  }
  const bearer = await authenticator.verifyBearer(credentials.token);
  if (bearer?.kind !== "identity") {
    throw new ApiError("unauthenticated", "the token is invalid or has expired");
  }
  return { identity: bearer.identity, clientAddress };
}

/** Refuses callers without the admin role. */
export function requireAdmin(caller: Caller): void {
  if (!caller.identity.roles.includes("admin")) {
    throw new ApiError("permission-denied", `${caller.identity.username} is not an admin`);
  }
}

/** Refuses callers the policy does not allow a global action such as policy:manage. */
export function requirePolicyAction(policy: PolicyService, caller: Caller, action: PolicyAction) {
  const decision = policy.evaluate({ principal: caller.identity, action, repository: null });
  if (!decision.allowed) {
    throw new ApiError(
      "permission-denied",
      `${caller.identity.username} may not ${action}: ${decision.reason}`,
    );
  }
}

/** The caller as the audit log records it. */
export function actorOf(caller: Caller): Actor {
  return { name: caller.identity.username, clientAddress: caller.clientAddress };
}

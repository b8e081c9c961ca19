import type { Authenticator } from "../auth/authenticator.ts";
import { parseAuthorization } from "../auth/authorization-header.ts";
import type { Identity } from "../auth/identity.ts";
import type { PolicyService } from "../policy/policy-service.ts";
import type { PolicyAction } from "../policy/rule.ts";
import { ApiError } from "./api-error.ts";

/**
 * Who is calling the admin API: a session or API token as a bearer token, or Basic
 * credentials. Registry tokens from /v2/token are for /v2 only and are refused here.
 */
export async function authenticateCaller(
  request: Request,
  authenticator: Authenticator,
  clientAddress: string,
): Promise<Identity> {
  const credentials = parseAuthorization(request.headers.get("authorization"));
  if (credentials === null) throw new ApiError(401, "authentication required");
  if (credentials === "malformed")
    throw new ApiError(401, "the Authorization header cannot be read");
  if (credentials.scheme === "basic") {
    const identity = await authenticator.verifyPassword(
      credentials.username,
      credentials.password,
      clientAddress,
    );
    if (!identity) throw new ApiError(401, "invalid username or password");
    return identity;
  }
  const bearer = await authenticator.verifyBearer(credentials.token);
  if (bearer?.kind !== "identity") throw new ApiError(401, "the token is invalid or has expired");
  return bearer.identity;
}

/** Refuses callers without the admin role. */
export function requireAdmin(identity: Identity): void {
  if (!identity.roles.includes("admin")) {
    throw new ApiError(403, `${identity.username} is not an admin`);
  }
}

/** Refuses callers the policy does not allow `action` (a global action, such as policy:manage). */
export function requirePolicyAction(
  policy: PolicyService,
  identity: Identity,
  action: PolicyAction,
) {
  const decision = policy.evaluate({ principal: identity, action, repository: null });
  if (!decision.allowed) {
    throw new ApiError(403, `${identity.username} may not ${action}: ${decision.reason}`);
  }
}

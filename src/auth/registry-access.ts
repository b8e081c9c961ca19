import type { AuditLog } from "../audit/audit-log.ts";
import type { PolicyService } from "../policy/policy-service.ts";
import type { AccessControl, AccessDecision, AccessRequest } from "./access.ts";
import type { Authenticator } from "./authenticator.ts";
import { parseAuthorization } from "./authorization-header.ts";
import { type Principal, principalName } from "./identity.ts";
import { type Scope, scopesAllow } from "./scope.ts";

/**
 * Access control with identities and policy, for every /v2 request:
 *
 * - no credentials: the anonymous principal, allowed only what rules grant `anonymous`;
 *   otherwise 401 with a challenge, which is how clients learn to fetch a token;
 * - Basic credentials: checked, then the policy decides (403 when it refuses);
 * - a registry token from /v2/token: allowed exactly what it grants, 401
 *   `insufficient_scope` beyond that;
 * - another bearer token (a session or API token, or the identity service's): its identity,
 *   then the policy decides.
 */
export class RegistryAccess implements AccessControl {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly policy: PolicyService,
    private readonly audit: AuditLog,
  ) {}

  async check(request: AccessRequest): Promise<AccessDecision> {
    const credentials = parseAuthorization(request.request.headers.get("authorization"));
    if (credentials === "malformed") {
      return unauthenticated("the Authorization header cannot be read", "invalid_token");
    }
    if (credentials === null) return this.#decide(null, request, true);

    if (credentials.scheme === "basic") {
      const identity = await this.authenticator.verifyPassword(
        credentials.username,
        credentials.password,
        request.clientAddress,
      );
      if (!identity) return unauthenticated("invalid username or password");
      return this.#decide(identity, request, false);
    }

    const bearer = await this.authenticator.verifyBearer(credentials.token);
    if (!bearer) return unauthenticated("the token is invalid or has expired", "invalid_token");
    if (bearer.kind === "identity") return this.#decide(bearer.identity, request, false);

    const granted = JSON.parse(bearer.record.access ?? "[]") as Scope[];
    if (request.actions.some((action) => scopesAllow(granted, action, request.repository))) {
      return { allowed: true, subject: bearer.identity.username };
    }
    return unauthenticated("the token does not grant this", "insufficient_scope");
  }

  async #decide(
    principal: Principal,
    request: AccessRequest,
    anonymous: boolean,
  ): Promise<AccessDecision> {
    const decisions = request.actions.map((action) =>
      this.policy.evaluate({ principal, action, repository: request.repository }),
    );
    if (decisions.some((decision) => decision.allowed)) {
      return { allowed: true, subject: principalName(principal) };
    }
    // Without credentials a refusal is a request for them, not a denial.
    if (anonymous) return unauthenticated("authentication required");

    const first = decisions[0];
    await this.audit.record({
      type: "policy_denied",
      actor: { name: principalName(principal), clientAddress: request.clientAddress },
      repository: request.repository,
      details: { actions: request.actions, reason: first?.reason, rule: first?.rule?.id ?? null },
    });
    return {
      allowed: false,
      reason: "denied",
      message: `${principalName(principal)} may not ${request.actions.join(" or ")}${
        request.repository ? ` on ${request.repository}` : ""
      }: ${first?.reason ?? "no rule allows it"}`,
    };
  }
}

function unauthenticated(
  message: string,
  tokenError?: "invalid_token" | "insufficient_scope",
): AccessDecision {
  return {
    allowed: false,
    reason: "unauthenticated",
    message,
    ...(tokenError ? { tokenError } : {}),
  };
}

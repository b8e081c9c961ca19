import type { PolicyAction } from "../policy/rule.ts";

/** What a /v2 request wants to do, in the policy's action names. */
export type RegistryAction = Extract<PolicyAction, `registry:${string}`>;

/** One access question: may this request do one of `actions` to `repository`? */
export interface AccessRequest {
  /** Any one of these suffices; the first is the one a challenge asks for. */
  actions: readonly RegistryAction[];
  /** The repository acted on; null for global actions (version check, catalog). */
  repository: string | null;
  /** The HTTP request, for the credentials it carries. */
  request: Request;
  /** The client's address, for the audit trail. */
  clientAddress: string;
}

/**
 * The answer. A refusal says whether credentials would help (`unauthenticated`, answered
 * 401 with a challenge) or not (`denied`, 403); `tokenError` is the Bearer challenge's
 * error for a token that is bad or too narrow.
 */
export type AccessDecision =
  | { allowed: true; subject: string }
  | {
      allowed: false;
      reason: "unauthenticated" | "denied";
      message: string;
      tokenError?: "invalid_token" | "insufficient_scope";
    };

/** The one access check every /v2 request passes before any handler runs. */
export interface AccessControl {
  check(request: AccessRequest): Promise<AccessDecision>;
}

/**
 * Lets every request through: the access control of `auth.provider = "none"`, an open
 * registry for local development, which is why that provider keeps to loopback unless told.
 */
export const allowEverything: AccessControl = {
  check: async () => ({ allowed: true, subject: "anonymous" }),
};

/** What a /v2 request wants to do, in the action names of the Docker token scopes. */
export type RegistryAction =
  | "registry:version_check"
  | "registry:catalog"
  | "registry:pull"
  | "registry:push"
  | "registry:delete";

/** One access question: may this request do `action` to `repository`? */
export interface AccessRequest {
  action: RegistryAction;
  /** The repository acted on; null for global actions (version check, catalog). */
  repository: string | null;
  /** The HTTP request, for the credentials it carries. */
  request: Request;
  /** The client's address, for the audit trail. */
  clientAddress: string;
}

/** The answer: allowed, or refused with whether credentials would help. */
export type AccessDecision =
  | { allowed: true; subject: string }
  | { allowed: false; reason: "unauthenticated" | "denied"; message: string };

/**
 * The one access check every /v2 request passes before any handler runs. The identity and
 * policy layer provides the real one.
 */
export interface AccessControl {
  check(request: AccessRequest): Promise<AccessDecision>;
}

/**
 * Lets every request through. It stands in until identities exist; that is why the default
 * listener is loopback only.
 */
export const allowEverything: AccessControl = {
  check: async () => ({ allowed: true, subject: "anonymous" }),
};

import type { IdentityProviderName } from "../config/config.ts";
import type { Identity } from "./identity.ts";

/**
 * Where identities come from. The registry asks it two questions: are these a valid username
 * and password, and whose is this bearer token (one MCR did not issue itself)?
 */
export interface IdentityProvider {
  readonly name: IdentityProviderName;
  /** The identity for a username and password, or null when they are wrong. */
  verifyPassword(username: string, password: string): Promise<Identity | null>;
  /** The identity behind a bearer token MCR does not know, or null when it is not valid. */
  verifyForeignToken(token: string): Promise<Identity | null>;
  /**
   * The identity as it is now (roles changed, account disabled: null), for long-lived grants
   * such as refresh tokens. Providers that cannot tell leave it out.
   */
  currentIdentity?(identity: Identity): Promise<Identity | null>;
}

/**
 * The identity service could not be asked. Callers answer 503: saying 401 would tell the
 * client its credentials are wrong when they may be fine.
 */
export class IdentityUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IdentityUnavailableError";
  }
}

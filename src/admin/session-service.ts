import type { AuditLog } from "../audit/audit-log.ts";
import type { Authenticator } from "../auth/authenticator.ts";
import type { Identity } from "../auth/identity.ts";
import type { TokenStore } from "../auth/token-store.ts";

/** A session opened by a login: the secret is shown this once. */
export interface Session {
  token: string;
  expiresAt: number;
  identity: Identity;
}

/**
 * Admin API sessions: a login with username and password returns a short-lived bearer token
 * (auth.session_ttl); a logout revokes it. The admin UI and the CLI both sign in this way.
 */
export class SessionService {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly tokens: TokenStore,
    private readonly audit: AuditLog,
    private readonly ttlSeconds: number,
  ) {}

  /** A new session, or null when the credentials are wrong. */
  async login(username: string, password: string, clientAddress: string): Promise<Session | null> {
    const identity = await this.authenticator.verifyPassword(username, password, clientAddress);
    if (!identity) return null;
    const issued = await this.tokens.issue({
      kind: "session",
      identity,
      ttlSeconds: this.ttlSeconds,
      description: "admin API session",
    });
    await this.audit.record({
      type: "token_issued",
      actor: { name: identity.username, clientAddress },
      details: { kind: "session", token_id: issued.id },
    });
    return { token: issued.secret, expiresAt: issued.expiresAt ?? 0, identity };
  }

  /** Ends the session a bearer token belongs to; false when it is not a live session. */
  async logout(token: string, clientAddress: string): Promise<boolean> {
    const verified = await this.tokens.verify(token, ["session"]);
    if (!verified || !(await this.tokens.revoke(verified.record.id))) return false;
    await this.audit.record({
      type: "token_revoked",
      actor: { name: verified.identity.username, clientAddress },
      details: { kind: "session", token_id: verified.record.id },
    });
    return true;
  }
}

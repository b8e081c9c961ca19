import type { Actor, AuditLog } from "../audit/audit-log.ts";
import type { TokenRecord } from "../db/tokens.ts";
import type { Logger } from "../log/logger.ts";
import { CredentialCache, credentialKey } from "./credential-cache.ts";
import type { Identity } from "./identity.ts";
import type { IdentityProvider } from "./identity-provider.ts";
import {
  type Lockout,
  type LoginAttempt,
  type LoginThrottle,
  LoginThrottledError,
} from "./login-throttle.ts";
import type { TokenStore } from "./token-store.ts";

/** What a bearer token turned out to be. */
export type BearerResult =
  | { kind: "registry"; record: TokenRecord; identity: Identity }
  | { kind: "identity"; identity: Identity };

/**
 * Turns credentials into identities: passwords through the identity provider (cached so
 * argon2id or the identity service is not asked on every request), bearer tokens through
 * MCR's token store and then the provider. Logins are audited when actually checked.
 *
 * Every password passes the login throttle first, above the provider so that local and
 * MCIAS accounts are guarded alike, and above the cache so that a locked account stays
 * locked even for a client whose right password was verified a moment before.
 */
export class Authenticator {
  readonly #cache = new CredentialCache();
  /** Checks of uncached credentials still running, by {@link credentialKey}. */
  readonly #checking = new Map<string, Promise<Identity | null>>();

  constructor(
    private readonly provider: IdentityProvider,
    private readonly tokens: TokenStore,
    private readonly audit: AuditLog,
    private readonly log: Logger,
    private readonly throttle: LoginThrottle,
  ) {}

  /**
   * The identity for a username and password, or null when they are wrong.
   *
   * @throws LoginThrottledError while the account or the address is locked out
   * @throws IdentityUnavailableError when the identity service cannot be asked
   */
  async verifyPassword(username: string, password: string, clientAddress: string) {
    // Verified a moment ago, or being verified for another request: no new guess, so no
    // attempt is counted, but a lockout still stands.
    const cached = this.#cache.get(username, password);
    const key = credentialKey(username, password);
    const running = this.#checking.get(key);
    if (cached || running) {
      await this.#unlessOwnApiToken(username, password, () =>
        this.throttle.refuseIfLocked(username, clientAddress),
      );
      // A right password clears the name's typos, whether or not argon2id ran for it.
      if (cached) this.throttle.succeededAgain(username);
      return cached ?? running;
    }

    const attempt = await this.#unlessOwnApiToken(username, password, () =>
      this.throttle.begin(username, clientAddress),
    );
    const check = this.#settle(attempt, this.#checkPassword(username, password, clientAddress), {
      name: username,
      clientAddress,
    }).finally(() => this.#checking.delete(key));
    // Requests that bring the same uncached pair while it is being checked wait for this one
    // check. Without this, a fleet of clients sharing one account (CI runners, a
    // deployment's nodes) each ran argon2id, or asked the identity service, at start-up and
    // again every time the cache entry expired: 200 clients queued ~200 hashes on the
    // runtime's few threads, and requests waited for seconds. Joined requests share the
    // first one's audit event.
    this.#checking.set(key, check);
    return check;
  }

  /** Tells the throttle how a counted attempt ended, auditing any lockout it started. */
  async #settle(attempt: LoginAttempt | null, check: Promise<Identity | null>, actor: Actor) {
    let identity: Identity | null;
    try {
      identity = await check;
    } catch (error) {
      if (attempt) this.throttle.abandoned(attempt);
      throw error;
    }
    if (attempt && identity) this.throttle.succeeded(attempt);
    if (attempt && !identity) {
      for (const lockout of this.throttle.failed(attempt))
        await this.#recordLockout(actor, lockout);
    }
    return identity;
  }

  async #checkPassword(username: string, password: string, clientAddress: string) {
    const identity = await this.provider.verifyPassword(username, password);
    const actor: Actor = { name: username, clientAddress };
    if (!identity) {
      this.log.warn("login failed", {
        username,
        remote: clientAddress,
        provider: this.provider.name,
      });
      await this.audit.record({
        type: "login_failed",
        actor,
        details: { provider: this.provider.name },
      });
      return null;
    }
    this.#cache.set(username, password, identity);
    await this.audit.record({
      type: "login_succeeded",
      actor,
      details: { provider: this.provider.name },
    });
    return identity;
  }

  /**
   * Runs a throttle step; when it refuses, lets the login through anyway (with no attempt)
   * if the password is this account's own API token. A robot's token is 256 random bits:
   * nobody guesses it, so it passes even while its name is locked; otherwise anyone who knows
   * a CI robot's name could stop its pushes with ten wrong passwords. The token is looked up
   * only when the throttle refuses, so the hot path pays nothing for this.
   */
  async #unlessOwnApiToken<T>(username: string, password: string, step: () => T) {
    try {
      return step();
    } catch (error) {
      if (!(error instanceof LoginThrottledError)) throw error;
      const token = await this.tokens.verify(password, ["api"]);
      if (token?.identity.username !== username) throw error;
      return null;
    }
  }

  async #recordLockout(actor: Actor, lockout: Lockout): Promise<void> {
    this.log.warn("logins locked out after repeated failures", {
      username: actor.name,
      remote: actor.clientAddress,
      limit: lockout.scope,
      retry_after_s: lockout.retryAfterSeconds,
    });
    await this.audit.record({
      type: "login_locked_out",
      actor,
      details: {
        limit: lockout.scope,
        failures: lockout.failures,
        retry_after_seconds: lockout.retryAfterSeconds,
        provider: this.provider.name,
      },
    });
  }

  /** What a bearer token proves, or null when MCR and the provider both reject it. */
  async verifyBearer(token: string): Promise<BearerResult | null> {
    const registryToken = await this.tokens.verify(token, ["registry"]);
    if (registryToken) return { kind: "registry", ...registryToken };
    const identity = await this.provider.verifyForeignToken(token);
    return identity ? { kind: "identity", identity } : null;
  }

  /**
   * The identity behind a refresh token (docker login's identity token), or null. A refresh
   * token lives for weeks, so the account is read again: disabled means no, and the roles
   * are today's, not those of the day it was issued.
   */
  async verifyRefreshToken(token: string): Promise<Identity | null> {
    const identity = (await this.tokens.verify(token, ["refresh"]))?.identity ?? null;
    if (!identity || !this.provider.currentIdentity) return identity;
    return this.provider.currentIdentity(identity);
  }

  /** Forgets cached credentials, after an account or password change. */
  forgetCachedCredentials(): void {
    this.#cache.clear();
  }
}

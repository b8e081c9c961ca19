import type { Actor, AuditLog } from "../audit/audit-log.ts";
import type { TokenRecord } from "../db/tokens.ts";
import type { Logger } from "../log/logger.ts";
import { CredentialCache, credentialKey } from "./credential-cache.ts";
import type { Identity } from "./identity.ts";
import type { IdentityProvider } from "./identity-provider.ts";
import type { TokenStore } from "./token-store.ts";

/** What a bearer token turned out to be. */
export type BearerResult =
  | { kind: "registry"; record: TokenRecord; identity: Identity }
  | { kind: "identity"; identity: Identity };

/**
 * Turns credentials into identities: passwords through the identity provider (cached so
 * argon2id or the identity service is not asked on every request), bearer tokens through
 * MCR's token store and then the provider. Logins are audited when actually checked.
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
  ) {}

  /**
   * The identity for a username and password, or null; throws IdentityUnavailableError.
   *
   * Requests that bring the same uncached pair while it is being checked wait for that one
   * check. Without this, a fleet of clients sharing one account (CI runners, a deployment's
   * nodes) each ran argon2id, or asked the identity service, at start-up and again every
   * time the cache entry expired: 200 clients queued ~200 hashes on the runtime's few
   * threads, and requests waited for seconds. Joined requests share the first one's audit
   * event.
   */
  verifyPassword(username: string, password: string, clientAddress: string) {
    const cached = this.#cache.get(username, password);
    if (cached) return Promise.resolve(cached);

    const key = credentialKey(username, password);
    const running = this.#checking.get(key);
    if (running) return running;
    const check = this.#checkPassword(username, password, clientAddress).finally(() =>
      this.#checking.delete(key),
    );
    this.#checking.set(key, check);
    return check;
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

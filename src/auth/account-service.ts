import type { Actor, AuditLog } from "../audit/audit-log.ts";
import {
  type AccountRecord,
  countAccounts,
  findAccountById,
  findAccountByUsername,
  insertAccount,
  listAccounts,
  setAccountDisabled,
  setAccountPasswordHash,
} from "../db/accounts.ts";
import type { Db } from "../db/schema.ts";
import { listTokensOf, revokeToken, revokeTokensOf, type TokenRecord } from "../db/tokens.ts";
import { KeyedLock } from "../registry/keyed-lock.ts";
import type { AccountType, Identity } from "./identity.ts";
import { hashPassword } from "./passwords.ts";
import type { IssuedToken, TokenStore } from "./token-store.ts";

/** Usernames: a letter or digit, then letters, digits, `.`, `_`, `-` or `@`; 64 at most. */
const USERNAME = /^[a-zA-Z0-9][a-zA-Z0-9._@-]{0,63}$/;
/** Shorter passwords are refused; argon2id cannot save a guessable one. */
const MIN_PASSWORD_LENGTH = 12;

/** An account change that cannot be made, with a message saying why. */
export class AccountError extends Error {
  constructor(
    readonly kind: "invalid" | "exists" | "not-found" | "last-admin",
    message: string,
  ) {
    super(message);
    this.name = "AccountError";
  }
}

/** Managing the local provider's accounts and their API tokens. */
export class AccountService {
  /**
   * Called after a change that may invalidate remembered credentials (a password changed, an
   * account disabled), so that no cache lets the old ones in.
   */
  onCredentialsChanged: () => void = () => {};

  /** Changes that could leave no admin run one at a time, so two cannot both pass the check. */
  readonly #adminChanges = new KeyedLock();

  constructor(
    private readonly db: Db,
    private readonly tokens: TokenStore,
    private readonly audit: AuditLog,
  ) {}

  count(): Promise<number> {
    return countAccounts(this.db);
  }

  list(): Promise<AccountRecord[]> {
    return listAccounts(this.db);
  }

  /** Creates an account. People need a password; system accounts sign in with API tokens. */
  async create(
    input: { username: string; accountType: AccountType; roles: string[]; password?: string },
    actor: Actor | null,
  ): Promise<AccountRecord> {
    checkUsername(input.username);
    if (input.accountType === "human") checkPassword(input.password);
    if (await findAccountByUsername(this.db, input.username)) {
      throw new AccountError("exists", `account ${input.username} already exists`);
    }
    const account = {
      id: crypto.randomUUID(),
      username: input.username,
      accountType: input.accountType,
      roles: [...new Set(input.roles)],
      disabled: false,
      passwordHash: input.password ? await hashPassword(input.password) : null,
    };
    await insertAccount(this.db, account);
    await this.audit.record({
      type: "account_created",
      actor,
      details: {
        id: account.id,
        username: account.username,
        type: account.accountType,
        roles: account.roles,
      },
    });
    const created = await findAccountByUsername(this.db, input.username);
    if (!created) throw new Error(`account ${input.username} vanished after creation`);
    return created;
  }

  /** Disables or enables an account; the last enabled admin who can log in stays enabled. */
  async setDisabled(username: string, disabled: boolean, actor: Actor | null) {
    await this.#adminChanges.run("admins", async () => {
      const account = await this.#find(username);
      if (disabled) await this.#refuseLastAdmin(account);
      await this.#applyDisabled(account, disabled, actor);
    });
  }

  /**
   * Refuses a change that would leave no enabled person with the admin role: nobody could
   * then sign in to manage accounts (README, "Recovering admin access").
   */
  async #refuseLastAdmin(account: AccountRecord): Promise<void> {
    if (!isActiveAdmin(account)) return;
    const others = (await listAccounts(this.db)).filter(
      (other) => other.id !== account.id && isActiveAdmin(other),
    );
    if (others.length > 0) return;
    throw new AccountError(
      "last-admin",
      `${account.username} is the last enabled admin; enable or create another admin first`,
    );
  }

  async #applyDisabled(account: AccountRecord, disabled: boolean, actor: Actor | null) {
    const { username } = account;
    await setAccountDisabled(this.db, account.id, disabled);
    // A disabled account's tokens stop at once, not when they expire.
    const revoked = disabled ? await revokeTokensOf(this.db, account.id) : 0;
    this.onCredentialsChanged();
    await this.audit.record({
      type: "account_updated",
      actor,
      details: { username, disabled, tokens_revoked: revoked },
    });
  }

  async setPassword(username: string, password: string, actor: Actor | null) {
    const account = await this.#find(username);
    checkPassword(password);
    await setAccountPasswordHash(this.db, account.id, await hashPassword(password));
    // A new password is often a reaction to a leak: whatever the old one obtained goes too.
    const revoked = await revokeTokensOf(this.db, account.id);
    this.onCredentialsChanged();
    await this.audit.record({
      type: "account_updated",
      actor,
      details: { username, password: "changed", tokens_revoked: revoked },
    });
  }

  /** Issues an API token for an account; the secret is returned this once. */
  async createApiToken(
    username: string,
    options: { description: string; ttlSeconds: number | null },
    actor: Actor | null,
  ): Promise<IssuedToken> {
    const account = await this.#find(username);
    const issued = await this.tokens.issue({
      kind: "api",
      identity: {
        id: account.id,
        username: account.username,
        accountType: account.accountType,
        roles: account.roles,
      },
      ttlSeconds: options.ttlSeconds,
      description: options.description,
    });
    await this.audit.record({
      type: "token_issued",
      actor,
      details: {
        kind: "api",
        token_id: issued.id,
        account: username,
        description: options.description,
      },
    });
    return issued;
  }

  /** An account's API and session tokens, newest first, never their secrets. */
  async listTokens(username: string): Promise<TokenRecord[]> {
    const account = await this.#find(username);
    return listTokensOf(this.db, account.id, ["api", "session", "refresh"]);
  }

  /** Revokes one token of an account; a token that is not theirs or not live is not found. */
  async revokeToken(username: string, tokenId: string, actor: Actor | null): Promise<void> {
    const account = await this.#find(username);
    const owned = (await listTokensOf(this.db, account.id, ["api", "session", "refresh"])).some(
      (token) => token.id === tokenId && token.revokedAt === null,
    );
    if (!owned || !(await revokeToken(this.db, tokenId))) {
      throw new AccountError("not-found", `account ${username} has no live token ${tokenId}`);
    }
    // A system account's API token is also its password, and verified passwords are cached.
    this.onCredentialsChanged();
    await this.audit.record({
      type: "token_revoked",
      actor,
      details: { token_id: tokenId, account: username },
    });
  }

  /** The identity of a local account named by username or id, as the policy sees it. */
  async identityOf(usernameOrId: string): Promise<Identity> {
    const account =
      (await findAccountByUsername(this.db, usernameOrId)) ??
      (await findAccountById(this.db, usernameOrId));
    if (!account) throw new AccountError("not-found", `no account ${usernameOrId}`);
    return {
      id: account.id,
      username: account.username,
      accountType: account.accountType,
      roles: account.roles,
    };
  }

  async #find(username: string): Promise<AccountRecord> {
    const account = await findAccountByUsername(this.db, username);
    if (!account) throw new AccountError("not-found", `account ${username} does not exist`);
    return account;
  }
}

/** An enabled person with the admin role: someone who can sign in and manage accounts. */
function isActiveAdmin(account: AccountRecord): boolean {
  return !account.disabled && account.accountType === "human" && account.roles.includes("admin");
}

/** Refuses a username accounts cannot have, with the rule in the message. */
export function checkUsername(username: string): void {
  if (!USERNAME.test(username)) {
    throw new AccountError(
      "invalid",
      `username ${JSON.stringify(username)} must be 1-64 letters, digits, '.', '_', '-' or '@'`,
    );
  }
}

/** Refuses a password too short for a person's account. */
export function checkPassword(password: string | undefined): void {
  if (!password || password.length < MIN_PASSWORD_LENGTH) {
    throw new AccountError(
      "invalid",
      `a password needs at least ${MIN_PASSWORD_LENGTH} characters`,
    );
  }
}

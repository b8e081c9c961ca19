import type { AccountType } from "../auth/identity.ts";
import { parseDuration } from "../config/duration.ts";
import type { AccountRecord } from "../db/accounts.ts";
import type { TokenRecord } from "../db/tokens.ts";
import type { AdminDependencies } from "./admin-dependencies.ts";
import { ApiError } from "./api-error.ts";
import { actorOf, type Caller, requireAdmin } from "./caller.ts";

/** The longest token lifetime: a hundred years is "never" for any operator. */
const MAX_TOKEN_TTL_DAYS = 36_500;
const MAX_TOKEN_TTL_SECONDS = MAX_TOKEN_TTL_DAYS * 86_400;

/** A new account as a caller describes it. */
export interface NewAccount {
  username: string;
  accountType: string;
  roles: string[];
  password?: string;
}

/** An API token just issued: the only time its secret is seen. */
export interface NewApiToken {
  id: string;
  secret: string;
  expiresAt: number | null;
}

/** Accounts of the local provider and their API tokens; admins only. */
export class AccountApi {
  constructor(private readonly deps: AdminDependencies) {}

  list(caller: Caller): Promise<AccountRecord[]> {
    requireAdmin(caller);
    return this.deps.accounts.list();
  }

  create(caller: Caller, input: NewAccount): Promise<AccountRecord> {
    requireAdmin(caller);
    if (input.accountType !== "human" && input.accountType !== "system") {
      throw new ApiError("invalid-argument", 'account_type must be "human" or "system"');
    }
    return this.deps.accounts.create(
      { ...input, accountType: input.accountType as AccountType },
      actorOf(caller),
    );
  }

  async setDisabled(caller: Caller, username: string, disabled: boolean): Promise<void> {
    requireAdmin(caller);
    await this.deps.accounts.setDisabled(username, disabled, actorOf(caller));
  }

  async setPassword(caller: Caller, username: string, password: string): Promise<void> {
    requireAdmin(caller);
    if (password === "") throw new ApiError("invalid-argument", "password is required");
    await this.deps.accounts.setPassword(username, password, actorOf(caller));
  }

  listTokens(caller: Caller, username: string): Promise<TokenRecord[]> {
    requireAdmin(caller);
    return this.deps.accounts.listTokens(username);
  }

  /** `ttl` is a duration such as "90d"; empty or absent for a token that never expires. */
  async createToken(
    caller: Caller,
    username: string,
    options: { description: string; ttl?: string },
  ): Promise<NewApiToken> {
    requireAdmin(caller);
    let ttlSeconds: number | null = null;
    if (options.ttl) {
      ttlSeconds = parseDuration(options.ttl);
      if (ttlSeconds === null || ttlSeconds <= 0) {
        throw new ApiError(
          "invalid-argument",
          "ttl must be a duration such as 90d, or absent for no expiry",
        );
      }
      // A longer ttl puts the expiry past the last date JavaScript can represent: the token
      // would be stored and then fail to be described.
      if (ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
        throw new ApiError(
          "invalid-argument",
          `ttl must be at most ${MAX_TOKEN_TTL_DAYS}d; leave it out for a token that never expires`,
        );
      }
    }
    const issued = await this.deps.accounts.createApiToken(
      username,
      { description: options.description, ttlSeconds },
      actorOf(caller),
    );
    return { id: issued.id, secret: issued.secret, expiresAt: issued.expiresAt };
  }

  async revokeToken(caller: Caller, username: string, tokenId: string): Promise<void> {
    requireAdmin(caller);
    await this.deps.accounts.revokeToken(username, tokenId, actorOf(caller));
  }
}

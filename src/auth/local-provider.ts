import { findAccountById, findAccountByUsername } from "../db/accounts.ts";
import type { Db } from "../db/schema.ts";
import type { Identity } from "./identity.ts";
import type { IdentityProvider } from "./identity-provider.ts";
import { decoyPasswordHash, verifyPasswordHash } from "./passwords.ts";
import type { TokenStore } from "./token-store.ts";

/**
 * Accounts in MCR's own database. People sign in with an argon2id-hashed password; a system
 * account signs in with one of its API tokens as the password, so `docker login` works for
 * CI robots too.
 */
export class LocalIdentityProvider implements IdentityProvider {
  readonly name = "local" as const;

  constructor(
    private readonly db: Db,
    private readonly tokens: TokenStore,
  ) {}

  async verifyPassword(username: string, password: string): Promise<Identity | null> {
    const account = await findAccountByUsername(this.db, username);
    if (!account || account.disabled) {
      await verifyPasswordHash(password, await decoyPasswordHash());
      return null;
    }
    if (account.accountType === "system") {
      const token = await this.tokens.verify(password, ["api"]);
      if (token?.identity.id === account.id) return identityOf(account);
      // A wrong token costs what a wrong password costs, so timing does not tell robots apart.
      await verifyPasswordHash(password, await decoyPasswordHash());
      return null;
    }
    if (!account.passwordHash) {
      await verifyPasswordHash(password, await decoyPasswordHash());
      return null;
    }
    return (await verifyPasswordHash(password, account.passwordHash)) ? identityOf(account) : null;
  }

  async currentIdentity(identity: Identity): Promise<Identity | null> {
    const account = await findAccountById(this.db, identity.id);
    return account && !account.disabled ? identityOf(account) : null;
  }

  /**
   * MCR's own session and API tokens, checked against the account as it is now: disabling
   * an account stops its tokens at once.
   */
  async verifyForeignToken(token: string): Promise<Identity | null> {
    const verified = await this.tokens.verify(token, ["session", "api"]);
    if (!verified) return null;
    const account = await findAccountById(this.db, verified.identity.id);
    return account && !account.disabled ? identityOf(account) : null;
  }
}

function identityOf(account: {
  id: string;
  username: string;
  accountType: "human" | "system";
  roles: string[];
}): Identity {
  return {
    id: account.id,
    username: account.username,
    accountType: account.accountType,
    roles: account.roles,
  };
}

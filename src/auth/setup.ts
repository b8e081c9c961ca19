import type { AuditLog } from "../audit/audit-log.ts";
import type { Config } from "../config/config.ts";
import type { Db } from "../db/schema.ts";
import type { Logger } from "../log/logger.ts";
import { PolicyService } from "../policy/policy-service.ts";
import { type AccessControl, allowEverything } from "./access.ts";
import { AccountService } from "./account-service.ts";
import { Authenticator } from "./authenticator.ts";
import { ensureFirstAdmin } from "./bootstrap.ts";
import type { IdentityProvider } from "./identity-provider.ts";
import { LocalIdentityProvider } from "./local-provider.ts";
import { LoginThrottle } from "./login-throttle.ts";
import { MciasIdentityProvider } from "./mcias/mcias-provider.ts";
import { RegistryAccess } from "./registry-access.ts";
import { TokenService } from "./token-service.ts";
import { TokenStore } from "./token-store.ts";

/** Everything identity and policy provide to the rest of the registry. */
export interface AccessLayer {
  access: AccessControl;
  /** Null for an open registry (provider "none"): no token endpoint. */
  tokens: { service: TokenService; authenticator: Authenticator } | null;
  policy: PolicyService;
  accounts: AccountService;
  tokenStore: TokenStore;
}

/**
 * Builds identity, tokens and policy for the configured provider, and creates the first
 * admin of a new local account store.
 */
export async function createAccessLayer(
  config: Config,
  db: Db,
  audit: AuditLog,
  log: Logger,
): Promise<AccessLayer> {
  const tokenStore = new TokenStore(db);
  const policy = await PolicyService.open(db, audit);
  const accounts = new AccountService(db, tokenStore, audit);
  if (config.auth.provider === "none") {
    return { access: allowEverything, tokens: null, policy, accounts, tokenStore };
  }

  const provider = createProvider(config, db, tokenStore, log);
  if (config.auth.provider === "local") {
    await ensureFirstAdmin(accounts, config.storage.dataDir, log, process.env.MCR_ADMIN_PASSWORD);
  }
  const throttle = new LoginThrottle({
    maxFailuresPerAccount: config.auth.loginMaxFailures,
    maxFailuresPerAddress: config.auth.loginMaxFailures * ADDRESS_LIMIT_FACTOR,
    windowMs: config.auth.loginWindow * 1000,
  });
  const authenticator = new Authenticator(provider, tokenStore, audit, log, throttle);
  accounts.onCredentialsChanged = () => {
    authenticator.forgetCachedCredentials();
    tokenStore.forgetUnstored();
  };
  const service = new TokenService(tokenStore, policy, audit, {
    service: config.auth.service,
    tokenTtl: config.auth.tokenTtl,
    refreshTokenTtl: config.auth.refreshTokenTtl,
  });
  return {
    access: new RegistryAccess(authenticator, policy, audit),
    tokens: { service, authenticator },
    policy,
    accounts,
    tokenStore,
  };
}

/**
 * An address may fail this many times more often than an account: people behind one NAT or
 * proxy share an address, while one guesser spreading over many names is still stopped.
 */
const ADDRESS_LIMIT_FACTOR = 5;

function createProvider(config: Config, db: Db, tokens: TokenStore, log: Logger): IdentityProvider {
  if (config.auth.provider === "mcias" && config.mcias.serverUrl) {
    return new MciasIdentityProvider(
      {
        serverUrl: config.mcias.serverUrl,
        caCert: config.mcias.caCert,
        serviceName: config.mcias.serviceName,
        tags: config.mcias.tags,
      },
      log,
    );
  }
  return new LocalIdentityProvider(db, tokens);
}

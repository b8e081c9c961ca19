import type { Logger } from "../../log/logger.ts";
import type { Identity } from "../identity.ts";
import type { IdentityProvider } from "../identity-provider.ts";
import { hashSecret } from "../secrets.ts";
import { TokenAnswerCache } from "./answer-cache.ts";
import {
  LOGIN_PATH,
  LOGIN_REJECTED_STATUSES,
  loginRequestBody,
  parseLoginResponse,
  parseValidateResponse,
  VALIDATE_PATH,
  VALIDATE_REJECTED_STATUSES,
  validateRequestHeaders,
} from "./contract.ts";
import { MciasClient, type MciasOperation } from "./mcias-client.ts";

/** Options of {@link MciasIdentityProvider}; the first four are the `[mcias]` settings. */
export interface MciasProviderOptions {
  /** `mcias.server_url`: `https://...`, or `http://` on a loopback address. */
  serverUrl: string;
  /** `mcias.ca_cert`: a PEM file of CAs to trust for the service, or null for the system's. */
  caCert: string | null;
  /** `mcias.service_name`: how MCR introduces itself at login. */
  serviceName: string;
  /** `mcias.tags`: sent at login, for the service's own policy. */
  tags: string[];
  /** How long one call to the service may take. 5 seconds by default. */
  timeoutMs?: number;
  /** How long an answer about a token is reused. 30 seconds by default. */
  cacheTtlMs?: number;
}

/** A successful login: who signed in, and the service's token for them. */
export interface MciasLogin {
  identity: Identity;
  token: string;
  expiresAt: Date;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_CACHE_TTL_MS = 30_000;
/** Token answers kept at most; about 2 MB of memory when full. */
const MAX_CACHED_TOKENS = 10_000;

/**
 * Identities from MCIAS, the external identity service (its HTTP contract is in
 * `contract.ts`). Passwords are checked by logging in; tokens by asking the service, whose
 * answers are reused for `cacheTtlMs`, so a token revoked there stops working here within
 * that time.
 *
 * When the service cannot be asked (down, slow, 5xx, an answer outside the contract), the
 * methods throw `IdentityUnavailableError` instead of answering null: the client's
 * credentials may be fine.
 *
 * @example
 * const provider = new MciasIdentityProvider(
 *   { serverUrl: "https://mcias.example", caCert: null, serviceName: "mcr", tags: [] },
 *   log,
 * );
 * const identity = await provider.verifyPassword("alice", "secret"); // null when wrong
 */
export class MciasIdentityProvider implements IdentityProvider {
  readonly name = "mcias" as const;
  readonly #client: MciasClient;
  readonly #cache = new TokenAnswerCache(MAX_CACHED_TOKENS);
  readonly #cacheTtlMs: number;

  constructor(
    private readonly options: MciasProviderOptions,
    log: Logger,
  ) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#client = new MciasClient({ ...options, timeoutMs }, log);
    this.#cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  }

  async verifyPassword(username: string, password: string): Promise<Identity | null> {
    return (await this.login(username, password))?.identity ?? null;
  }

  /**
   * Logs in at the service: the identity and the service's token, or null when the username
   * or password is wrong or the account is disabled.
   */
  async login(username: string, password: string): Promise<MciasLogin | null> {
    const { serviceName, tags } = this.options;
    const body = loginRequestBody(username, password, serviceName, tags);
    const answer = await this.#client.post("login", LOGIN_PATH, body);
    if (LOGIN_REJECTED_STATUSES.has(answer.status)) return null;
    if (answer.status !== 200) throw this.#unexpectedStatus("login", answer.status);

    const issued = parseLoginResponse(answer.body);
    if (!issued) throw this.#client.unavailable("login", "answer does not follow the contract");

    // The login answer names no account: the token's validation does.
    const identity = await this.#validate(issued.token);
    if (!identity) {
      throw this.#client.unavailable("token validation", "a token just issued is not valid");
    }
    return { identity, token: issued.token, expiresAt: issued.expiresAt };
  }

  async verifyForeignToken(token: string): Promise<Identity | null> {
    if (token === "") return null;

    const cached = this.#cache.get(hashSecret(token));
    return cached !== undefined ? cached : this.#validate(token);
  }

  /** Asks the service about `token` and caches the answer, valid or not. */
  async #validate(token: string): Promise<Identity | null> {
    const key = hashSecret(token);
    const answer = await this.#client.post(
      "token validation",
      VALIDATE_PATH,
      {},
      validateRequestHeaders(token),
    );

    if (VALIDATE_REJECTED_STATUSES.has(answer.status)) {
      this.#cache.set(key, null, Date.now() + this.#cacheTtlMs);
      return null;
    }
    if (answer.status !== 200) throw this.#unexpectedStatus("token validation", answer.status);

    const validation = parseValidateResponse(answer.body);
    if (!validation) {
      throw this.#client.unavailable("token validation", "answer does not follow the contract");
    }
    if (!validation.valid) {
      this.#cache.set(key, null, Date.now() + this.#cacheTtlMs);
      return null;
    }

    // Never trust a token from the cache past its own expiry.
    const until = Math.min(Date.now() + this.#cacheTtlMs, validation.expiresAt.getTime());
    this.#cache.set(key, validation.identity, until);
    return validation.identity;
  }

  #unexpectedStatus(operation: MciasOperation, status: number) {
    const reason = status >= 300 && status < 400 ? "redirect not followed" : "unexpected status";
    return this.#client.unavailable(operation, `${reason} ${status}`, status);
  }
}

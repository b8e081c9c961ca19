import { constants } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Logger } from "../../log/logger.ts";
import { IdentityUnavailableError } from "../identity-provider.ts";

/** Options of {@link MciasClient}. */
export interface MciasClientOptions {
  /** `https://host[:port][/prefix]`; `http://` only for a loopback address. */
  serverUrl: string;
  /** Path of a PEM file with the CA certificates to trust instead of the system's. */
  caCert: string | null;
  /** How long one call may take, answer body included. */
  timeoutMs: number;
}

/** A call the provider makes, named in logs and error messages. */
export type MciasOperation = "login" | "token validation";

/** What the service answered: the status, and the body when it was JSON. */
export interface MciasAnswer {
  status: number;
  /** The parsed JSON body; undefined when the body was empty or not JSON. */
  body: unknown;
}

/**
 * OpenSSL options that switch off every protocol older than TLS 1.3. Bun's fetch honours
 * `tls.secureOptions` (checked on Bun 1.4.4 against a server capped at TLS 1.2: the handshake
 * fails), while its `tls.minVersion` is neither typed nor documented.
 */
const TLS_1_3_ONLY =
  constants.SSL_OP_NO_SSLv3 |
  constants.SSL_OP_NO_TLSv1 |
  constants.SSL_OP_NO_TLSv1_1 |
  constants.SSL_OP_NO_TLSv1_2;

/**
 * The transport to MCIAS: JSON over HTTPS with TLS 1.3 at least, an optional private CA, a
 * deadline on every call and no redirects followed (a redirect could carry a password to
 * another host). Every way a call can fail becomes an {@link IdentityUnavailableError}, logged
 * once as a warning; neither the request body nor its headers ever reach the log.
 */
export class MciasClient {
  readonly #origin: string;
  readonly #base: string;
  readonly #tls: BunFetchRequestInitTLS | undefined;

  constructor(
    private readonly options: MciasClientOptions,
    private readonly log: Logger,
  ) {
    const url = parseServerUrl(options.serverUrl);
    this.#origin = url.origin;
    this.#base = url.href.replace(/\/+$/, "");
    this.#tls = url.protocol === "https:" ? tlsOptions(options.caCert) : undefined;
  }

  /**
   * POSTs `body` as JSON to `path` under the server URL.
   *
   * @throws IdentityUnavailableError when no HTTP answer arrives in time.
   */
  async post(
    operation: MciasOperation,
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<MciasAnswer> {
    try {
      const response = await fetch(`${this.#base}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", ...headers },
        body: JSON.stringify(body),
        redirect: "manual",
        signal: AbortSignal.timeout(this.options.timeoutMs),
        tls: this.#tls,
      });
      return { status: response.status, body: parseJson(await response.text()) };
    } catch (error) {
      throw this.unavailable(operation, describeFetchError(error, this.options.timeoutMs));
    }
  }

  /** Logs why a call failed and returns the error to throw. */
  unavailable(
    operation: MciasOperation,
    reason: string,
    status?: number,
  ): IdentityUnavailableError {
    this.log.warn("identity service unavailable", {
      provider: "mcias",
      server: this.#origin,
      operation,
      reason,
      status,
    });
    return new IdentityUnavailableError(`MCIAS at ${this.#origin}: ${operation} failed: ${reason}`);
  }
}

/**
 * The server URL, checked. Plain HTTP would send passwords and tokens in clear text, so it is
 * refused unless the service runs on this machine.
 */
function parseServerUrl(serverUrl: string): URL {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new Error(`mcias.server_url ${JSON.stringify(serverUrl)} is not a URL`);
  }

  if (url.username || url.password || url.search || url.hash) {
    throw new Error("mcias.server_url must not carry credentials, a query or a fragment");
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopback(url.hostname)) return url;
  throw new Error(
    `mcias.server_url must use https:// (http:// is allowed for loopback only): ${url.origin}`,
  );
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function tlsOptions(caCert: string | null): BunFetchRequestInitTLS {
  if (!caCert) return { secureOptions: TLS_1_3_ONLY };

  // Read once at start-up, so a missing or unreadable file stops MCR instead of every login
  // (Bun's fetch reports a CA it cannot use only as "FailedToOpenSocket").
  const ca = readFileSync(caCert, "utf8");
  if (!ca.includes("-----BEGIN CERTIFICATE-----")) {
    throw new Error(`mcias.ca_cert ${caCert} holds no PEM certificate`);
  }
  return { secureOptions: TLS_1_3_ONLY, ca };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Words for an operator about a failed fetch: a timeout, a TLS or a connection error. */
function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === "TimeoutError") {
    return `no answer within ${timeoutMs} ms`;
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const hasCode = typeof code === "string" && code !== "" && !error.message.startsWith(code);
    return hasCode ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

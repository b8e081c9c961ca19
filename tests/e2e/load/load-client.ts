/**
 * One simulated registry client of the load test. It authenticates the way real clients
 * do: Basic credentials on every request (as `docker` does with a registry that accepts
 * them), or a token from /v2/token sent as a bearer token and fetched again before it
 * expires (as containerd does).
 */
import type { LoadStats } from "./load-stats.ts";

/** An account's name, password and ready-made Basic `Authorization` value. */
export interface Credentials {
  username: string;
  password: string;
  authorization: string;
}

/** An answer that was not what the operation expected; the worker records it and goes on. */
export class UnexpectedAnswer extends Error {}

export type AuthMode = "basic" | "token";

/** A request to the registry, relative to its base URL. */
export interface LoadRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

export class LoadClient {
  #token: { value: string; renewAt: number } | null = null;

  constructor(
    readonly base: string,
    readonly credentials: Credentials,
    readonly mode: AuthMode,
    /** What a token is asked for: `repository:<name>:<actions>` or `registry:catalog:*`. */
    private readonly scopes: readonly string[],
    private readonly stats: LoadStats,
  ) {}

  /** Sends one request with this client's credentials; the caller reads or drops the body. */
  async send(path: string, request: LoadRequest = {}): Promise<Response> {
    const authorization = await this.#authorization();
    return this.#timed(path, {
      method: request.method ?? "GET",
      headers: { ...request.headers, Authorization: authorization },
      body: request.body,
    });
  }

  /** Sends a request and checks its status, draining the body of an unexpected answer. */
  async expect(path: string, status: number, request: LoadRequest = {}): Promise<Response> {
    const response = await this.send(path, request);
    if (response.status !== status) {
      const text = await response.text().catch(() => "");
      throw new UnexpectedAnswer(
        `${request.method ?? "GET"} ${path}: ${response.status}, expected ${status}: ${text.slice(0, 200)}`,
      );
    }
    return response;
  }

  /**
   * Like {@link expect}, then reads the body to its end. Bun's fetch returns a connection to
   * its keep-alive pool only then, even for a HEAD or an empty answer; a body left unread
   * closes the connection, and the next request opens another (seen as thousands of
   * TIME_WAIT sockets on the client side).
   */
  async expectAndDrain(path: string, status: number, request: LoadRequest = {}) {
    const response = await this.expect(path, status, request);
    await response.arrayBuffer();
    return response;
  }

  /** Forgets the token, so that the next request fetches a new one. */
  renewToken(): void {
    this.#token = null;
  }

  async #authorization(): Promise<string> {
    if (this.mode === "basic") return this.credentials.authorization;
    if (this.#token && Date.now() < this.#token.renewAt) return `Bearer ${this.#token.value}`;

    const query = new URLSearchParams({ service: "mcr" });
    for (const scope of this.scopes) query.append("scope", scope);
    const response = await this.#timed(`/v2/token?${query}`, {
      headers: { Authorization: this.credentials.authorization },
    });
    if (response.status !== 200) {
      throw new UnexpectedAnswer(`token request: ${response.status} ${await response.text()}`);
    }
    const body = (await response.json()) as { token: string; expires_in: number };
    // Renewed at half its life, so a long run never sends an expired token.
    this.#token = { value: body.token, renewAt: Date.now() + (body.expires_in * 1000) / 2 };
    return `Bearer ${body.token}`;
  }

  async #timed(path: string, init: RequestInit): Promise<Response> {
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, init);
    } catch (error) {
      this.stats.networkErrors++;
      throw error;
    }
    this.stats.request(performance.now() - started);
    return response;
  }
}

/** Helpers for the web UI's handler tests: the app in front of a real registry, and a user. */
import { silentLogger } from "../../src/log/logger.ts";
import { createApiConnection } from "../../src/web/api-client.ts";
import { createWebApp, type WebHandler } from "../../src/web/app.ts";
import { rememberBrowserAddress } from "../../src/web/browser-address.ts";
import { SessionStore } from "../../src/web/session-store.ts";
import type { TestRegistry } from "./test-registry.ts";

/** The web app talking to `registry`'s admin RPC listener (or to `apiUrl`). */
export function webAppFor(
  registry: TestRegistry | null,
  options: { apiUrl?: string; sessions?: SessionStore } = {},
): WebHandler {
  const url = options.apiUrl ?? `http://127.0.0.1:${registry?.running.rpc?.port}`;
  return createWebApp(
    {
      api: createApiConnection({ url, timeoutMs: 3000 }),
      sessions: options.sessions ?? new SessionStore(),
      tls: false,
      registryHost: "registry.test:5000",
    },
    silentLogger,
  );
}

/** A browser's view of the app: a cookie jar and the CSRF token of the last page. */
export class WebUser {
  readonly cookies = new Map<string, string>();
  csrf = "";

  /** The browser's address, as mcr web's listener would note it; none when null. */
  constructor(
    private readonly handle: WebHandler,
    private readonly address: string | null = null,
  ) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.#send(new Request(`http://localhost${path}`, { headers: this.#headers(headers) }));
  }

  /** GET a page expecting 200; returns its text and remembers its CSRF token. */
  async page(path: string): Promise<string> {
    const response = await this.get(path);
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}\n${text}`);
    return text;
  }

  /** POSTs a form; the page's CSRF token is added unless `fields._csrf` is given. */
  async post(
    path: string,
    fields: Record<string, string> = {},
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const body = new URLSearchParams({ _csrf: this.csrf, ...fields });
    return this.#send(
      new Request(`http://localhost${path}`, {
        method: "POST",
        headers: this.#headers({ "content-type": "application/x-www-form-urlencoded", ...headers }),
        body,
      }),
    );
  }

  /** Logs in through the form; throws unless it lands on the dashboard. */
  async login(username: string, password: string): Promise<void> {
    await this.page("/login");
    const response = await this.post("/login", { username, password });
    if (response.status !== 303 || response.headers.get("location") !== "/") {
      throw new Error(`login failed: ${response.status} ${await response.text()}`);
    }
    await this.page("/");
  }

  async #send(request: Request): Promise<Response> {
    if (this.address) rememberBrowserAddress(request, this.address);
    const response = await this.handle(request);
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const [name, value] = (pair ?? "").split("=");
      if (!name) continue;
      if (/max-age=0/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value ?? "");
    }
    const type = response.headers.get("content-type") ?? "";
    if (type.startsWith("text/html")) {
      const text = await response.clone().text();
      const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
      if (token) this.csrf = token;
    }
    return response;
  }

  #headers(extra: Record<string, string>): Headers {
    const headers = new Headers(extra);
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    if (cookie) headers.set("cookie", cookie);
    return headers;
  }
}

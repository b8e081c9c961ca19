import type { Server } from "bun";
import { formatListenAddress, type ListenAddress } from "../config/listen-address.ts";
import type { Logger } from "../log/logger.ts";
import { createApiConnection } from "./api-client.ts";
import { createWebApp } from "./app.ts";
import { rememberBrowserAddress } from "./browser-address.ts";
import { errorPage } from "./pages/error-page.ts";
import { htmlResponse } from "./responses.ts";
import { addSecurityHeaders } from "./security-headers.ts";
import { SessionStore } from "./session-store.ts";
import { WebError } from "./web-error.ts";

/** Where `mcr web` listens and which admin API it is a client of. */
export interface WebServerOptions {
  listen: ListenAddress;
  /** The admin RPC API's base URL, such as http://127.0.0.1:9443. */
  apiUrl: string;
  /** CA certificate that signed the API's TLS certificate, when it is not a public one. */
  apiCaCert: string | null;
  tls: { cert: string; key: string } | null;
  /** The registry as pull commands name it; defaults to the API's host with port 5000. */
  registryHost: string | null;
}

/** A running web UI. */
export interface WebServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const TLS_1_3 = 0x0304;

/**
 * The largest request body the UI takes. Its forms carry a few fields (a policy rule is the
 * largest, well under 16 KiB); the framework parses a body whole before a page sees it, so
 * Bun must refuse a larger one, whose default limit is 128 MiB.
 */
const MAX_REQUEST_BODY = 64 * 1024;

/** Starts the web UI on its own listener, with TLS 1.3 when a certificate is given. */
export function startWebServer(options: WebServerOptions, log: Logger): WebServer {
  const tls = options.tls
    ? { cert: Bun.file(options.tls.cert), key: Bun.file(options.tls.key), minVersion: TLS_1_3 }
    : undefined;
  const handle = createWebApp(
    {
      api: createApiConnection({ url: options.apiUrl, caCertFile: options.apiCaCert }),
      sessions: new SessionStore(),
      tls: Boolean(tls),
      registryHost: options.registryHost ?? defaultRegistryHost(options.apiUrl),
    },
    log,
  );

  const server: Server<undefined> = Bun.serve({
    hostname: options.listen.host,
    port: options.listen.port,
    // Bun sets SO_REUSEPORT unless told not to: a second server on a taken port would start
    // and the kernel would split connections between the two. A taken port must be an error.
    reusePort: false,
    maxRequestBodySize: MAX_REQUEST_BODY,
    // Bun's types call minVersion a string; at run time it wants the protocol number.
    tls: tls as unknown as Bun.TLSOptions,
    // Never Bun's HTML debug page: it shows source and paths to whoever caused the error.
    development: false,
    // Whatever fails outside the app still answers with the security headers and no stack.
    error: (error) => {
      log.error("web request failed outside the application", { error: error.message });
      return failurePage(500, "Something went wrong", "The web UI failed; the log says why.");
    },
    fetch: async (request, server) => {
      const started = performance.now();
      const peer = server.requestIP(request);
      if (peer) rememberBrowserAddress(request, peer.address);
      const path = pathOf(request);
      const response =
        path === null
          ? failurePage(400, "Bad request", "The Host header does not form a valid URL.")
          : await handle(request);
      log.info("request", {
        method: request.method,
        path: path ?? "(invalid URL)",
        status: response.status,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
      });
      return response;
    },
  });

  /** An error page the app never saw, with the headers every answer of the UI carries. */
  function failurePage(status: number, title: string, message: string): Response {
    const page = errorPage(new WebError(status, title, message), null);
    return addSecurityHeaders(htmlResponse(page, status), Boolean(tls));
  }

  const port = server.port ?? options.listen.port;
  const url = `${tls ? "https" : "http"}://${formatListenAddress({ ...options.listen, port })}`;
  log.info("web UI listening", { url, api: options.apiUrl });
  return { url, port, stop: () => server.stop(true) };
}

/** The request's path, or null when its Host header makes no URL (`Host: a/b`). */
function pathOf(request: Request): string | null {
  try {
    return new URL(request.url).pathname;
  } catch {
    return null;
  }
}

/** The registry usually listens on port 5000 of the host that serves the admin API. */
function defaultRegistryHost(apiUrl: string): string {
  try {
    return `${new URL(apiUrl).hostname}:5000`;
  } catch {
    return "localhost:5000";
  }
}

import type { Server } from "bun";
import type { Config } from "../config/config.ts";
import { formatListenAddress } from "../config/listen-address.ts";
import type { Logger } from "../log/logger.ts";
import { ociErrorResponse } from "../oci/errors.ts";
import { clientAddress } from "./client-address.ts";
import { attachRequestInfo } from "./request-info.ts";

/** What handles requests once the server has identified them. */
export type RequestHandler = (request: Request) => Promise<Response> | Response;

/** Told about every answered request, for metrics. */
export type RequestObserver = (
  request: Request,
  path: string,
  status: number,
  seconds: number,
  bytes: number,
) => void;

/** A running HTTP server. */
export interface HttpServer {
  /** The URL clients reach it at (the bound port, when port 0 was asked for). */
  url: string;
  port: number;
  /** Stops accepting, waits up to `timeoutSeconds` for requests in flight, then cuts them. */
  shutdown(timeoutSeconds: number): Promise<void>;
}

/** No request body is too large to stream: blobs of many GiB are normal. */
const MAX_REQUEST_BODY = 2 ** 50;
const TLS_1_3 = 0x0304;
/**
 * The status logged and counted for a request whose client went away before the answer
 * (nginx's convention; nobody receives it).
 */
const CLIENT_CLOSED_REQUEST = 499;

/**
 * Starts Bun's HTTP server in front of `handle`: gives each request an id and the client's
 * address, writes one log line per request, and turns an unexpected failure into a 500 that
 * reveals nothing of the internals.
 */
export function startHttpServer(
  config: Config,
  log: Logger,
  handle: RequestHandler,
  observe: RequestObserver = () => {},
): HttpServer {
  const { server: settings } = config;
  const tls =
    settings.tlsCert && settings.tlsKey
      ? {
          cert: Bun.file(settings.tlsCert),
          key: Bun.file(settings.tlsKey),
          minVersion: TLS_1_3,
        }
      : undefined;

  const idleSeconds = Math.round(settings.idleTimeout);
  const server: Server<undefined> = Bun.serve({
    hostname: settings.listen.host,
    port: settings.listen.port,
    idleTimeout: idleSeconds,
    // Bun sets SO_REUSEPORT unless told not to: a second server on a taken port would start
    // and the kernel would split connections between the two. A taken port must be an error.
    reusePort: false,
    maxRequestBodySize: MAX_REQUEST_BODY,
    // Bun's types call minVersion a string; at run time it wants the protocol number.
    tls: tls as unknown as Bun.TLSOptions,
    // Never Bun's HTML debug page: it shows source and paths to whoever caused the error.
    development: false,
    error: (error) => {
      log.error("request failed outside the application", { error: error.message });
      return ociErrorResponse(500, "UNKNOWN", "internal error");
    },
    fetch: async (request, bunServer) => {
      const started = performance.now();
      const id = crypto.randomUUID().slice(0, 13);
      const peer = bunServer.requestIP(request)?.address ?? "unknown";
      const address = clientAddress(
        peer,
        request.headers.get("x-forwarded-for"),
        settings.trustedProxies,
      );
      // A Host header that makes no URL (`Host: a/b`) leaves request.url unparseable.
      let url: URL | null = null;
      try {
        url = new URL(request.url);
      } catch {}
      const path = url?.pathname ?? null;
      if (url) attachRequestInfo(request, { id, clientAddress: address, url, path: url.pathname });

      // Bun's idle timeout also runs while a handler works, and resets the connection when
      // the answer takes longer: a push queued behind others under load, or the last PUT of
      // a large upload whose hash must be read back after a restart. /v2 reads every body
      // under the stall timeout, so there the idle timeout is lifted while the handler runs
      // and set again for the answer and the idle keep-alive after it.
      const lifted = path?.startsWith("/v2/") === true;
      if (lifted) bunServer.timeout(request, 0);
      let response: Response;
      try {
        response =
          path === null
            ? ociErrorResponse(400, "UNSUPPORTED", "the Host header does not form a valid URL")
            : await handle(request);
      } catch (error) {
        // A client that hung up mid-request (a cancelled push, a killed CI job) is not the
        // server's fault: no error line for it (its answer becomes a 499 below).
        if (!request.signal.aborted) {
          log.error("request failed", {
            request_id: id,
            // A DOMException's stack is empty, not absent: fall back to its message then.
            error: error instanceof Error ? error.stack || error.message : String(error),
          });
        }
        response = ociErrorResponse(500, "UNKNOWN", `internal error; request id ${id}`);
      }
      if (request.signal.aborted && response.status >= 400) {
        // A failure or refusal caused by the hang-up itself (a body cut short) reaches
        // nobody; it is counted as the client's, not as a 5xx in the metrics.
        response = ociErrorResponse(
          CLIENT_CLOSED_REQUEST,
          "UNKNOWN",
          "the client closed the connection",
        );
      }
      if (lifted) bunServer.timeout(request, idleSeconds);
      response.headers.set("X-Request-Id", id);
      // Elysia drops the zero Content-Length of an empty answer; some clients want it stated.
      if (response.body === null && !response.headers.has("content-length")) {
        response.headers.set("Content-Length", "0");
      }
      const seconds = (performance.now() - started) / 1000;
      const bytes = Number(response.headers.get("content-length") ?? 0);
      observe(request, path ?? "", response.status, seconds, bytes);
      log.info("request", {
        request_id: id,
        method: request.method,
        path: path ?? "(invalid URL)",
        status: response.status,
        bytes,
        duration_ms: Math.round(seconds * 10_000) / 10,
        remote: address,
      });
      return response;
    },
  });

  const scheme = tls ? "https" : "http";
  const port = server.port ?? settings.listen.port;
  return {
    url: `${scheme}://${formatListenAddress({ host: settings.listen.host, port })}`,
    port,
    shutdown: async (timeoutSeconds) => {
      const drained = server.stop(false);
      const deadline = new Promise<"timeout">((resolve) =>
        setTimeout(() => resolve("timeout"), timeoutSeconds * 1000).unref(),
      );
      if ((await Promise.race([drained, deadline])) === "timeout") {
        log.warn("shutdown timeout reached; closing connections still open", {
          timeout_s: timeoutSeconds,
        });
        await server.stop(true);
      }
    },
  };
}

import { readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttp2Server, createSecureServer } from "node:http2";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { AdminApi } from "../api/admin-api.ts";
import type { ListenAddress } from "../config/listen-address.ts";
import type { Logger } from "../log/logger.ts";
import { createConnectionTimeouts } from "./connection-timeouts.ts";
import { handlerOnFirstCall } from "./handler-on-first-call.ts";

/** The HTTP/2 connection preface: a cleartext connection that starts so speaks h2c. */
const H2_PREFACE = Buffer.from("PRI * HTTP/2.0");

/** The admin RPC listener: gRPC, gRPC-Web and Connect on one port. */
export interface RpcServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves the Connect services on their own listener with node:http2 (Bun.serve cannot send
 * the response trailers native gRPC needs). With TLS, ALPN picks HTTP/2 or HTTP/1.1 and TLS
 * 1.3 is the minimum. In cleartext, node's http2 server does not fall back to HTTP/1.1, so
 * each connection's first bytes decide: the h2c preface goes to the HTTP/2 server,
 * anything else (curl with Connect JSON) to an HTTP/1.1 server.
 */
export async function startRpcServer(options: {
  listen: ListenAddress;
  tls: { cert: string; key: string } | null;
  api: AdminApi;
  log: Logger;
  /** Proxies (such as `mcr web`) whose X-Forwarded-For names the real client. */
  trustedProxies: readonly string[];
  /** Seconds a connection may send and receive nothing before it is closed. */
  idleTimeout: number;
  /** Seconds a request may take to arrive whole; admin messages are small. */
  requestTimeout: number;
}): Promise<RpcServer> {
  const connectHandler = handlerOnFirstCall(
    () =>
      import("./rpc-handler.ts").then((module) =>
        module.createRpcHandler({
          api: options.api,
          log: options.log,
          trustedProxies: options.trustedProxies,
        }),
      ),
    (error) => options.log.error("admin RPC handler failed to load", { error: error.message }),
  );
  const timeouts = createConnectionTimeouts({
    idleMs: options.idleTimeout * 1000,
    requestMs: options.requestTimeout * 1000,
  });
  const handler = timeouts.wrap(connectHandler);
  const sockets = new Set<Socket>();
  let server: Server;
  if (options.tls) {
    server = createSecureServer(
      {
        allowHTTP1: true,
        cert: readFileSync(options.tls.cert),
        key: readFileSync(options.tls.key),
        minVersion: "TLSv1.3",
      },
      handler,
    ) as unknown as Server;
    server.on("secureConnection", (socket: TLSSocket) => {
      timeouts.watch(socket);
      if (socket.alpnProtocol !== "h2") timeouts.watchRequests(socket);
    });
  } else {
    const h2 = createHttp2Server(handler);
    const h1 = createHttpServer(handler);
    server = createTcpServer((socket: Socket) => {
      sockets.add(socket);
      timeouts.watch(socket);
      socket.once("close", () => sockets.delete(socket));
      socket.once("data", (first: Buffer) => {
        socket.pause();
        socket.unshift(first);
        const isH2 = first.subarray(0, H2_PREFACE.length).equals(H2_PREFACE);
        if (!isH2) timeouts.watchRequests(socket);
        (isH2 ? h2 : h1).emit("connection", socket);
        socket.resume();
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      // "listen EADDRINUSE 127.0.0.1:9443" alone does not say which of the two listeners.
      const where = `${options.listen.host}:${options.listen.port}`;
      const why = error.code === "EADDRINUSE" ? "is in use" : `failed: ${error.message}`;
      reject(new Error(`admin RPC listener ${where} ${why} (server.rpc_listen, --rpc-listen)`));
    });
    server.listen(options.listen.port, options.listen.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.listen.port;
  options.log.info("admin RPC listening", {
    address: `${options.listen.host}:${port}`,
    tls: Boolean(options.tls),
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Connections handed to the HTTP servers are no longer the listener's to close.
        for (const socket of sockets) socket.destroy();
        setTimeout(resolve, 1000).unref();
      }),
  };
}

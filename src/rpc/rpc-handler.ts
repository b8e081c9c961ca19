import { createContextValues } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { AdminApi } from "../api/admin-api.ts";
import type { Logger } from "../log/logger.ts";
import { clientAddress } from "../server/client-address.ts";
import { peerAddressKey } from "./call-context.ts";
import type { NodeHandler } from "./connection-timeouts.ts";
import { authInterceptor, errorInterceptor, loggingInterceptor } from "./interceptors.ts";
import { rpcRoutes } from "./routes.ts";

const MAX_MESSAGE_BYTES = 64 * 1024;

/** The Connect services as one node request handler: gRPC, gRPC-Web and Connect. */
export function createRpcHandler(options: {
  api: AdminApi;
  log: Logger;
  /** Proxies (such as `mcr web`) whose X-Forwarded-For names the real client. */
  trustedProxies: readonly string[];
}): NodeHandler {
  return connectNodeAdapter({
    routes: rpcRoutes(options.api),
    // Outermost first: the log line sees the final code, refusals become Connect codes,
    // and only authenticated callers reach a service.
    interceptors: [
      loggingInterceptor(options.log),
      errorInterceptor(options.log),
      authInterceptor(options.api),
    ],
    contextValues: (request) => {
      const forwarded = request.headers["x-forwarded-for"];
      const address = clientAddress(
        request.socket?.remoteAddress ?? "",
        Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? null),
        options.trustedProxies,
      );
      return createContextValues().set(peerAddressKey, address);
    },
    // Admin messages are small; anything larger is not one.
    readMaxBytes: MAX_MESSAGE_BYTES,
  });
}

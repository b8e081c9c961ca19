import { readFileSync } from "node:fs";
import type { AdminClient, Connection } from "./admin-client.ts";
import { UsageError } from "./errors.ts";
import type { GlobalFlags } from "./global-args.ts";
import { GrpcAdminClient } from "./grpc-client.ts";
import { RestAdminClient } from "./rest-client.ts";
import type { SessionStore } from "./sessions.ts";

/** Where the server is when nothing says otherwise: `mcr serve`'s own defaults. */
export const DEFAULT_SERVERS = {
  rest: "http://127.0.0.1:5000",
  grpc: "http://127.0.0.1:9443",
} as const;

/**
 * Settles how to reach the server, each setting from the first place that has it: the
 * flag, then the environment ($MCR_SERVER, $MCR_TOKEN), then the saved login (the server
 * of the last login over this transport, and the unexpired token saved for that server),
 * then the default.
 */
export function resolveConnection(
  flags: GlobalFlags,
  env: Record<string, string | undefined>,
  sessions: SessionStore,
): Connection {
  const transport = flags.grpc ? "grpc" : "rest";
  const server = serverUrl(
    flags.server ||
      env.MCR_SERVER ||
      sessions.currentServer(transport) ||
      DEFAULT_SERVERS[transport],
  );
  const saved = sessions.find(server);
  const live = saved && Date.parse(saved.expires_at) > Date.now() ? saved.token : null;
  return {
    transport,
    server,
    token: flags.token || env.MCR_TOKEN || live,
    ca: flags["ca-cert"] ? readCaCert(flags["ca-cert"]) : null,
  };
}

/** The client for a connection's transport. */
export function createAdminClient(connection: Connection): AdminClient {
  return connection.transport === "grpc"
    ? new GrpcAdminClient(connection)
    : new RestAdminClient(connection);
}

/** An http or https base URL without a trailing slash, so that the same server has one key. */
export function serverUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`invalid server ${JSON.stringify(text)}: must be an http(s):// URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`invalid server ${JSON.stringify(text)}: must be an http(s):// URL`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new UsageError(`invalid server ${JSON.stringify(text)}: only scheme, host, port, path`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

function readCaCert(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`cannot read --ca-cert ${path}: ${reason}`);
  }
}

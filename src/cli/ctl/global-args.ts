import type { ArgsDef } from "citty";

/**
 * Flags every `mcr ctl` command takes: where the server is, how to reach it, who is calling,
 * and how to print. Each command's own flags are added to these.
 */
export const GLOBAL_ARGS = {
  server: {
    type: "string",
    valueHint: "url",
    description:
      "Server URL (default $MCR_SERVER, the last login's, or http://127.0.0.1:5000; " +
      "with --grpc the RPC listener, :9443)",
  },
  grpc: {
    type: "boolean",
    description: "Call the admin RPC listener over native gRPC instead of the REST API",
  },
  token: {
    type: "string",
    valueHint: "token",
    description: "Bearer token (default $MCR_TOKEN, else the saved login's)",
  },
  "ca-cert": {
    type: "string",
    valueHint: "path",
    description: "Trust this CA certificate (PEM) for https",
  },
  json: { type: "boolean", description: "Print one JSON document (the REST API's shape)" },
} as const satisfies ArgsDef;

/** The global flags as parsed. */
export interface GlobalFlags {
  server?: string;
  grpc?: boolean;
  token?: string;
  "ca-cert"?: string;
  json?: boolean;
}

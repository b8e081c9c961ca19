import { readFileSync } from "node:fs";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AccountService } from "../gen/mcr/v1/accounts_pb.ts";
import { AdminService } from "../gen/mcr/v1/admin_pb.ts";
import { AuditService } from "../gen/mcr/v1/audit_pb.ts";
import { AuthService } from "../gen/mcr/v1/auth_pb.ts";
import { PolicyService } from "../gen/mcr/v1/policy_pb.ts";
import { RegistryService } from "../gen/mcr/v1/registry_pb.ts";

/** The admin API's services, as one signed-in user (or nobody) calls them. */
export interface ApiClients {
  admin: Client<typeof AdminService>;
  auth: Client<typeof AuthService>;
  registry: Client<typeof RegistryService>;
  policy: Client<typeof PolicyService>;
  audit: Client<typeof AuditService>;
  accounts: Client<typeof AccountService>;
}

/** Where the admin RPC API is, and the CA that signed its certificate when not a public one. */
export interface ApiConnectionOptions {
  url: string;
  caCertFile?: string | null;
  /** Milliseconds a call may take before the page says the registry does not answer. */
  timeoutMs?: number;
}

/** One HTTP/2 connection to the admin API, shared by every user's calls. */
export interface ApiConnection {
  /** Clients that send `token` as the bearer token, or no credentials when it is null. */
  as(token: string | null): ApiClients;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Connects to the admin RPC API with Connect over HTTP/2 (h2c, or TLS with `caCertFile`). */
export function createApiConnection(options: ApiConnectionOptions): ApiConnection {
  const ca = options.caCertFile ? readFileSync(options.caCertFile) : undefined;
  const shared = createConnectTransport({
    baseUrl: options.url,
    httpVersion: "2",
    nodeOptions: ca ? { ca } : {},
    defaultTimeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  return {
    as(token) {
      const transport = token ? withBearer(shared, token) : shared;
      return {
        admin: createClient(AdminService, transport),
        auth: createClient(AuthService, transport),
        registry: createClient(RegistryService, transport),
        policy: createClient(PolicyService, transport),
        audit: createClient(AuditService, transport),
        accounts: createClient(AccountService, transport),
      };
    },
  };
}

/** The shared transport with an Authorization header added to every call. */
function withBearer(transport: Transport, token: string): Transport {
  const authorize = (header: ConstructorParameters<typeof Headers>[0]) => {
    const headers = new Headers(header);
    headers.set("authorization", `Bearer ${token}`);
    return headers;
  };
  return {
    unary: (method, signal, timeoutMs, header, input, contextValues) =>
      transport.unary(method, signal, timeoutMs, authorize(header), input, contextValues),
    stream: (method, signal, timeoutMs, header, input, contextValues) =>
      transport.stream(method, signal, timeoutMs, authorize(header), input, contextValues),
  };
}

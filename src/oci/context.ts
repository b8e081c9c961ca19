import type { Actor } from "../audit/audit-log.ts";
import type { AccessControl } from "../auth/access.ts";
import type { Authenticator } from "../auth/authenticator.ts";
import type { TokenService } from "../auth/token-service.ts";
import type { Logger } from "../log/logger.ts";
import type { Registry } from "../registry/registry.ts";
import type { MemoryValve } from "../server/memory-valve.ts";

/** What the /v2 handlers need besides the request. */
export interface OciDependencies {
  registry: Registry;
  access: AccessControl;
  /** The token endpoint's logic and credential checks; null for an open registry. */
  tokens: { service: TokenService; authenticator: Authenticator } | null;
  log: Logger;
  /** Base URL for Location headers; null sends paths, which every client resolves. */
  externalUrl: string | null;
  manifestMaxSize: number;
  stallTimeout: number;
  /** Collects garbage as upload bodies arrive; see server/memory-valve.ts. */
  memoryValve: MemoryValve;
}

/** One /v2 request as a handler sees it. */
export interface OciRequest {
  request: Request;
  url: URL;
  clientAddress: string;
  /** Who is acting, as the access check established, for the audit trail. */
  actor: Actor;
  deps: OciDependencies;
}

/** The URL a Location header should carry for a /v2 path. */
export function location(deps: OciDependencies, path: string): string {
  return deps.externalUrl ? `${deps.externalUrl}${path}` : path;
}

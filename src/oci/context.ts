import type { AccessControl } from "../auth/access.ts";
import type { Logger } from "../log/logger.ts";
import type { Registry } from "../registry/registry.ts";

/** What the /v2 handlers need besides the request. */
export interface OciDependencies {
  registry: Registry;
  access: AccessControl;
  log: Logger;
  /** Base URL for Location headers; null sends paths, which every client resolves. */
  externalUrl: string | null;
  manifestMaxSize: number;
  stallTimeout: number;
}

/** One /v2 request as a handler sees it. */
export interface OciRequest {
  request: Request;
  url: URL;
  clientAddress: string;
  deps: OciDependencies;
}

/** The URL a Location header should carry for a /v2 path. */
export function location(deps: OciDependencies, path: string): string {
  return deps.externalUrl ? `${deps.externalUrl}${path}` : path;
}

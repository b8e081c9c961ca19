import type { RepositoryService } from "../admin/repository-service.ts";
import type { SessionService } from "../admin/session-service.ts";
import type { SnapshotService } from "../admin/snapshot-service.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { AccountService } from "../auth/account-service.ts";
import type { Authenticator } from "../auth/authenticator.ts";
import type { Identity } from "../auth/identity.ts";
import type { GarbageCollector } from "../gc/garbage-collector.ts";
import type { PolicyService } from "../policy/policy-service.ts";
import type { ManifestService } from "../registry/manifests.ts";
import { requestInfo } from "../server/request-info.ts";
import { apiErrorResponse } from "./api-error.ts";
import { authenticateCaller } from "./caller.ts";

/** The services the admin REST API adapts. */
export interface RestDependencies {
  accounts: AccountService;
  policy: PolicyService;
  audit: AuditLog;
  gc: GarbageCollector;
  repositories: RepositoryService;
  /** Tag and manifest deletes go through the registry's own service, audited the same way. */
  manifests: ManifestService;
  snapshots: SnapshotService;
  /** Null for an open registry (auth provider "none"): no identities, no sessions. */
  identity: { authenticator: Authenticator; sessions: SessionService } | null;
  version: string;
}

/** One admin request as a route sees it. */
export interface RestRequest {
  request: Request;
  params: Record<string, string>;
  query: URLSearchParams;
  clientAddress: string;
  deps: RestDependencies;
  /** Who is calling; throws 401 when nobody is. */
  caller(): Promise<Identity>;
}

/** An open registry's admin API is as open as its /v2: every caller is an admin. */
const OPEN_REGISTRY_CALLER: Identity = {
  id: "anonymous",
  username: "anonymous",
  accountType: "human",
  roles: ["admin"],
};

type Route = (ctx: RestRequest) => Promise<Response> | Response;

/**
 * Wraps a route for Elysia: builds its RestRequest and turns service failures into the
 * API's `{"error": ...}` answers.
 */
export function route(deps: RestDependencies, handle: Route) {
  return async ({ request, params }: { request: Request; params: Record<string, string> }) => {
    const { clientAddress, url } = requestInfo(request);
    const ctx: RestRequest = {
      request,
      params: decodeParams(params),
      query: url.searchParams,
      clientAddress,
      deps,
      caller: async () =>
        deps.identity
          ? authenticateCaller(request, deps.identity.authenticator, clientAddress)
          : OPEN_REGISTRY_CALLER,
    };
    try {
      return await handle(ctx);
    } catch (error) {
      return apiErrorResponse(error);
    }
  };
}

function decodeParams(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params ?? {}).map(([key, value]) => [key, safeDecode(value)]),
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The Elysia instance the admin routes are added to. */
export type RestApp = import("elysia").Elysia<"/v1">;

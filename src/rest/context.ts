import type { AdminApi } from "../api/admin-api.ts";
import type { Caller } from "../api/caller.ts";
import { requestInfo } from "../server/request-info.ts";
import { apiErrorResponse } from "./api-error.ts";

/** One admin request as a route sees it. */
export interface RestRequest {
  request: Request;
  params: Record<string, string>;
  query: URLSearchParams;
  clientAddress: string;
  /** Who is calling; throws unauthenticated (401) when nobody is. */
  caller(): Promise<Caller>;
}

type Route = (ctx: RestRequest) => Promise<Response> | Response;

/**
 * Wraps a route for Elysia: builds its RestRequest and turns refusals into the API's
 * `{"error": ...}` answers.
 */
export function route(api: AdminApi, handle: Route) {
  return async ({ request, params }: { request: Request; params: Record<string, string> }) => {
    const { clientAddress, url } = requestInfo(request);
    const ctx: RestRequest = {
      request,
      params: decodeParams(params),
      query: url.searchParams,
      clientAddress,
      caller: () => api.authenticate(request.headers.get("authorization"), clientAddress),
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

/** Elysia must not read the body itself: the routes read it, with a size limit. */
export const OWN_BODY = { parse: "none" } as const;

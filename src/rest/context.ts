import type { AdminApi } from "../api/admin-api.ts";
import { ApiError } from "../api/api-error.ts";
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
  return async ({
    request,
    params,
  }: {
    request: Request;
    params: Record<string, string | null>;
  }) => {
    const { clientAddress, url } = requestInfo(request);
    try {
      const ctx: RestRequest = {
        request,
        params: checkParams(params),
        query: url.searchParams,
        clientAddress,
        caller: () => api.authenticate(request.headers.get("authorization"), clientAddress),
      };
      return await handle(ctx);
    } catch (error) {
      return apiErrorResponse(error);
    }
  };
}

/**
 * Elysia has already percent-decoded the named parameters; decoding them again would turn
 * `ad%256Din` into `admin`. One it could not decode (`%ZZ`) arrives as null, and a route
 * would otherwise look up the account "null".
 */
function checkParams(params: Record<string, string | null>): Record<string, string> {
  const checked: Record<string, string> = {};
  for (const [key, value] of Object.entries(params ?? {})) {
    if (typeof value !== "string") {
      throw new ApiError("invalid-argument", `the path's ${key} is not valid percent-encoding`);
    }
    checked[key] = value;
  }
  return checked;
}

/** A percent-encoded path segment decoded; malformed encoding (`%ZZ`) is the caller's error. */
export function decodePathSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ApiError("invalid-argument", `${JSON.stringify(text)} is not valid percent-encoding`);
  }
}

/** The Elysia instance the admin routes are added to. */
export type RestApp = import("elysia").Elysia<"/v1">;

/** Elysia must not read the body itself: the routes read it, with a size limit. */
export const OWN_BODY = { parse: "none" } as const;

import type { Elysia } from "elysia";
import type { RegistryMetrics } from "../metrics/registry-metrics.ts";
import type { OciDependencies } from "../oci/context.ts";
import { handleOciRequest } from "../oci/dispatch.ts";
import { jsonResponse } from "./json-response.ts";
import { serveMetrics } from "./metrics-endpoint.ts";
import { attachRequestInfo, requestInfo } from "./request-info.ts";

/**
 * The HTTP application: /v2 (the OCI distribution API) and /v1 (the admin REST API).
 *
 * /v2 is dispatched by its own path parser: repository names contain slashes, so a router
 * adds nothing there. /v1 goes to Elysia.
 */
export function createApp(
  oci: OciDependencies,
  rest: Elysia<"/v1">,
  metrics: { registry: RegistryMetrics; token: string | null } | null,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const info = requestInfo(request);
    if (info.path === "/metrics" && metrics && request.method === "GET") {
      return serveMetrics(request, info.clientAddress, metrics.registry, metrics.token);
    }
    if (info.path === "/v2" || info.path.startsWith("/v2/")) {
      return handleOciRequest(request, info.url, info.clientAddress, oci);
    }
    if (info.path === "/v1" || info.path.startsWith("/v1/")) {
      return rest.handle(withRoutableUrl(request));
    }
    return jsonResponse({ error: `${info.path} does not exist` }, { status: 404 });
  };
}

/**
 * Elysia 1.4 finds the path by looking for "/" from the 12th character of the URL, assuming
 * an origin of at least that length: with `Host: reg` it would route nothing. Such requests
 * are handed over with an equivalent URL on a longer, fixed origin.
 */
function withRoutableUrl(request: Request): Request {
  const { url } = requestInfo(request);
  if (url.origin.length >= 11) return request;
  const routable = new Request(`http://mcr.internal${url.pathname}${url.search}`, request);
  attachRequestInfo(routable, { ...requestInfo(request), url: new URL(routable.url) });
  return routable;
}

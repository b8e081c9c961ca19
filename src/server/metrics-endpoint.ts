import { constantTimeEqual } from "../auth/secrets.ts";
import { isLoopbackHost } from "../config/listen-address.ts";
import type { RegistryMetrics } from "../metrics/registry-metrics.ts";
import { jsonResponse } from "./json-response.ts";

/**
 * GET /metrics in the Prometheus text format. With metrics.token set, scrapers present it
 * as a bearer token (compared in constant time); without one, only loopback clients may
 * scrape, since the numbers describe the registry's contents and traffic.
 */
export async function serveMetrics(
  request: Request,
  clientAddress: string,
  metrics: RegistryMetrics,
  token: string | null,
): Promise<Response> {
  if (token) {
    const presented =
      /^bearer\s+(.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
    if (!constantTimeEqual(presented, token)) {
      return jsonResponse({ error: "a valid metrics token is required" }, { status: 401 });
    }
  } else if (!isLoopbackHost(clientAddress.replace(/^::ffff:/, ""))) {
    return jsonResponse({ error: "metrics are served to loopback clients only" }, { status: 403 });
  }
  return new Response(await metrics.render(), {
    headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" },
  });
}

import { sql } from "kysely";
import type { Db } from "../db/schema.ts";
import type { GarbageCollector } from "../gc/garbage-collector.ts";
import { Counter, type Gauge, Histogram, renderGauge } from "./metrics.ts";

/** Request groups: coarse enough to keep the label set small and free of repository names. */
export function routeGroup(path: string): string {
  if (path === "/v2" || path === "/v2/") return "v2_base";
  if (path === "/v2/_catalog") return "v2_catalog";
  if (path === "/v2/token") return "v2_token";
  if (path.startsWith("/v2/")) {
    if (/\/blobs\/uploads(\/|$)/.test(path)) return "v2_uploads";
    if (path.includes("/blobs/")) return "v2_blobs";
    if (path.includes("/manifests/")) return "v2_manifests";
    if (path.endsWith("/tags/list")) return "v2_tags";
    if (path.includes("/referrers/")) return "v2_referrers";
    return "v2_other";
  }
  if (path.startsWith("/v1/")) return "v1";
  if (path === "/metrics") return "metrics";
  return "other";
}

/** The registry's metrics: request counts and latency, bytes, and what is stored. */
export class RegistryMetrics {
  readonly requests = new Counter(
    "mcr_http_requests_total",
    "HTTP requests by route group, method and status.",
  );
  readonly duration = new Histogram(
    "mcr_http_request_duration_seconds",
    "Time until the response started, by route group.",
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  readonly bytesReceived = new Counter(
    "mcr_http_received_bytes_total",
    "Request body bytes announced by Content-Length.",
  );
  readonly bytesSent = new Counter(
    "mcr_http_sent_bytes_total",
    "Response body bytes announced by Content-Length.",
  );
  readonly identityErrors = new Counter(
    "mcr_identity_service_errors_total",
    "Requests answered 503 because the identity service could not be asked.",
  );
  readonly #gauges: Gauge[];

  constructor(db: Db, gc: GarbageCollector) {
    const scalar = async (query: ReturnType<typeof sql<{ n: number | null }>>) =>
      Number((await query.execute(db)).rows[0]?.n ?? 0);
    this.#gauges = [
      {
        name: "mcr_uploads_in_progress",
        help: "Blob upload sessions not yet finished.",
        read: () => scalar(sql`SELECT count(*) AS n FROM uploads`),
      },
      {
        name: "mcr_repositories",
        help: "Repositories.",
        read: () => scalar(sql`SELECT count(*) AS n FROM repositories`),
      },
      {
        name: "mcr_blobs",
        help: "Blobs stored.",
        read: () => scalar(sql`SELECT count(*) AS n FROM blobs`),
      },
      {
        name: "mcr_blob_bytes",
        help: "Bytes of blobs stored.",
        read: () => scalar(sql`SELECT sum(size) AS n FROM blobs`),
      },
      {
        name: "mcr_gc_runs_total",
        help: "Garbage collections finished.",
        type: "counter",
        read: () => gc.totals().runs,
      },
      {
        name: "mcr_gc_freed_bytes_total",
        help: "Bytes freed by garbage collection.",
        type: "counter",
        read: () => gc.totals().bytesFreed,
      },
    ];
  }

  /** Records one answered request. */
  record(request: Request, path: string, status: number, seconds: number, bytesSent: number) {
    const group = routeGroup(path);
    this.requests.add({ group, method: request.method, status: String(status) });
    this.duration.observe({ group }, seconds);
    this.bytesReceived.add({ group }, Number(request.headers.get("content-length") ?? 0) || 0);
    this.bytesSent.add({ group }, bytesSent);
    if (status === 503) this.identityErrors.add();
  }

  /** Everything, in the Prometheus text format. */
  async render(): Promise<string> {
    const parts = [
      this.requests,
      this.duration,
      this.bytesReceived,
      this.bytesSent,
      this.identityErrors,
    ].map((metric) => metric.render());
    for (const gauge of this.#gauges) parts.push(await renderGauge(gauge));
    return `${parts.join("\n")}\n`;
  }
}

import { sql } from "kysely";
import type { Db } from "../db/schema.ts";
import type { GarbageCollector } from "../gc/garbage-collector.ts";
import {
  Counter,
  type CounterSeries,
  type Gauge,
  Histogram,
  type HistogramSeries,
  renderGauge,
} from "./metrics.ts";

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

/** The series one route group records into; see RegistryMetrics.record. */
interface GroupSeries {
  duration: HistogramSeries;
  bytesReceived: CounterSeries;
  bytesSent: CounterSeries;
  /** Request counts by method, then status. */
  requests: Map<string, Map<number, CounterSeries>>;
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
  readonly #groups = new Map<string, GroupSeries>();

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

  /**
   * Records one answered request. It runs on every request, so the series are looked up in
   * maps keyed by the raw values: building the Prometheus label keys each time cost more
   * than the rest of recording.
   */
  record(request: Request, path: string, status: number, seconds: number, bytesSent: number) {
    const group = routeGroup(path);
    const series = this.#groupSeries(group);
    this.#requestCount(series, group, request.method, status).value++;
    series.duration.observe(seconds);
    series.bytesReceived.value += Number(request.headers.get("content-length") ?? 0) || 0;
    series.bytesSent.value += bytesSent;
    if (status === 503) this.identityErrors.add();
  }

  #groupSeries(group: string): GroupSeries {
    let series = this.#groups.get(group);
    if (!series) {
      series = {
        duration: this.duration.series({ group }),
        bytesReceived: this.bytesReceived.series({ group }),
        bytesSent: this.bytesSent.series({ group }),
        requests: new Map(),
      };
      this.#groups.set(group, series);
    }
    return series;
  }

  #requestCount(series: GroupSeries, group: string, method: string, status: number) {
    let byStatus = series.requests.get(method);
    if (!byStatus) {
      byStatus = new Map();
      series.requests.set(method, byStatus);
    }
    let count = byStatus.get(status);
    if (!count) {
      count = this.requests.series({ group, method, status: String(status) });
      byStatus.set(status, count);
    }
    return count;
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

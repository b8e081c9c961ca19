import { afterEach, expect, test } from "bun:test";
import type { Db } from "../../src/db/schema.ts";
import type { GarbageCollector } from "../../src/gc/garbage-collector.ts";
import { Counter, Histogram } from "../../src/metrics/metrics.ts";
import { RegistryMetrics, routeGroup } from "../../src/metrics/registry-metrics.ts";
import { pushImage } from "../helpers/oci-client.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

const registries: TestRegistry[] = [];
afterEach(async () => {
  for (const registry of registries.splice(0)) await registry.destroy();
});

async function registryWith(env: Record<string, string> = {}) {
  const registry = await startTestRegistry({ env });
  registries.push(registry);
  return registry;
}

/** The value of one sample line, e.g. `mcr_blobs` or `mcr_http_requests_total{...}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test("/metrics counts requests by route group and reports what is stored", async () => {
  const registry = await registryWith();
  await pushImage(registry.url, "metrics/app", "v1");
  await fetch(`${registry.url}/v2/metrics/app/manifests/v1`);
  await fetch(`${registry.url}/v2/metrics/app/manifests/missing`);

  const response = await fetch(`${registry.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
  const text = await response.text();
  expect(
    sample(text, 'mcr_http_requests_total{group="v2_manifests",method="GET",status="200"}'),
  ).toBe(1);
  expect(
    sample(text, 'mcr_http_requests_total{group="v2_manifests",method="GET",status="404"}'),
  ).toBe(1);
  expect(
    sample(text, 'mcr_http_requests_total{group="v2_uploads",method="POST",status="202"}'),
  ).toBe(2);
  expect(sample(text, "mcr_repositories")).toBe(1);
  expect(sample(text, "mcr_blobs")).toBe(2);
  expect(sample(text, "mcr_uploads_in_progress")).toBe(0);
  expect(text).toContain(
    'mcr_http_request_duration_seconds_bucket{group="v2_manifests",le="+Inf"}',
  );
  // Repository names stay out of the labels, so the series count cannot grow with them.
  expect(text).not.toContain("metrics/app");
});

test("with a metrics token, scrapers must present it", async () => {
  const registry = await registryWith({ MCR_METRICS_TOKEN: "scrape-secret" });
  expect((await fetch(`${registry.url}/metrics`)).status).toBe(401);
  const wrong = await fetch(`${registry.url}/metrics`, {
    headers: { Authorization: "Bearer nope" },
  });
  expect(wrong.status).toBe(401);
  const right = await fetch(`${registry.url}/metrics`, {
    headers: { Authorization: "Bearer scrape-secret" },
  });
  expect(right.status).toBe(200);
});

test("metrics can be switched off", async () => {
  const registry = await registryWith({ MCR_METRICS_ENABLED: "false" });
  expect((await fetch(`${registry.url}/metrics`)).status).toBe(404);
});

test("counters, histograms and route groups render as Prometheus expects", () => {
  const counter = new Counter("c_total", "help");
  counter.add({ a: 'x"y' });
  counter.add({ a: 'x"y' }, 2);
  expect(counter.render()).toBe(
    '# HELP c_total help\n# TYPE c_total counter\nc_total{a="x\\"y"} 3',
  );
  const histogram = new Histogram("h_seconds", "help", [0.1, 1]);
  histogram.observe({}, 0.05);
  histogram.observe({}, 0.5);
  expect(histogram.render()).toContain('h_seconds_bucket{le="0.1"} 1');
  expect(histogram.render()).toContain('h_seconds_bucket{le="1"} 2');
  expect(histogram.render()).toContain('h_seconds_bucket{le="+Inf"} 2');
  expect(routeGroup("/v2/a/b/blobs/uploads/123")).toBe("v2_uploads");
  expect(routeGroup("/v2/a/blobs/sha256:1")).toBe("v2_blobs");
  expect(routeGroup("/v2/token")).toBe("v2_token");
  expect(routeGroup("/v1/accounts")).toBe("v1");
});

test("recording keeps one series per group, method and status, and adds to it", () => {
  // Recording touches neither the database nor the collector; only the gauges read them.
  const metrics = new RegistryMetrics(null as unknown as Db, null as unknown as GarbageCollector);
  const get = new Request("http://registry.test/v2/a/manifests/latest");
  const put = new Request("http://registry.test/v2/a/manifests/latest", {
    method: "PUT",
    headers: { "Content-Length": "7" },
    body: "content",
  });
  metrics.record(get, "/v2/a/manifests/latest", 200, 0.002, 100);
  metrics.record(get, "/v2/b/manifests/v1", 200, 0.02, 50);
  metrics.record(get, "/v2/a/manifests/gone", 404, 0.001, 0);
  metrics.record(put, "/v2/a/manifests/latest", 201, 0.003, 0);
  metrics.record(get, "/v2/a/tags/list", 200, 0.001, 10);

  const requests = metrics.requests.render();
  expect(requests).toContain('{group="v2_manifests",method="GET",status="200"} 2\n');
  expect(requests).toContain('{group="v2_manifests",method="GET",status="404"} 1\n');
  expect(requests).toContain('{group="v2_manifests",method="PUT",status="201"} 1\n');
  expect(requests).toContain('{group="v2_tags",method="GET",status="200"} 1');
  const duration = metrics.duration.render();
  expect(duration).toContain('_bucket{group="v2_manifests",le="0.005"} 3\n');
  expect(duration).toContain('_count{group="v2_manifests"} 4\n');
  expect(metrics.bytesSent.render()).toContain('{group="v2_manifests"} 150\n');
  expect(metrics.bytesReceived.render()).toContain('{group="v2_manifests"} 7\n');
});

import { pushSmallImage } from "../lib/registry-client.ts";
import type { Measurement, Scenario } from "./scenario.ts";

const CONNECTIONS = [1, 16, 64];
const SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 5);

/** Scenario 3: manifest GET by tag under wrk at 1, 16 and 64 connections. */
export function manifestGetScenario(rounds: number): Scenario {
  return {
    name: "manifest GET",
    rounds,
    async run(server): Promise<Measurement[]> {
      await pushSmallImage(server.url, "bench/app", "latest");
      const url = `${server.url}/v2/bench/app/manifests/latest`;
      const measurements: Measurement[] = [];
      for (const connections of CONNECTIONS) {
        const result = await wrk(url, connections);
        const row = `manifest GET, ${connections} connection${connections > 1 ? "s" : ""}`;
        measurements.push(
          { row: `${row}: requests/s`, value: result.rps, unit: "req/s", better: "higher" },
          { row: `${row}: p50`, value: result.p50, unit: "ms", better: "lower" },
          { row: `${row}: p99`, value: result.p99, unit: "ms", better: "lower" },
        );
        if (result.errors > 0) {
          measurements.push({
            row: `${row}: errors`,
            value: result.errors,
            unit: "",
            better: "lower",
          });
        }
      }
      return measurements;
    },
  };
}

/** Runs Debian's wrk and reads its summary: requests per second and latency percentiles. */
async function wrk(url: string, connections: number) {
  const threads = Math.min(2, connections);
  const accept =
    "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";
  const child = Bun.spawn(
    ["wrk", `-t${threads}`, `-c${connections}`, `-d${SECONDS}s`, "--latency", "-H", accept, url],
    { stdout: "pipe", stderr: "pipe" },
  );
  const output = await new Response(child.stdout).text();
  if ((await child.exited) !== 0) throw new Error(`wrk failed: ${output}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
  const socketErrors = (/Socket errors:(.*)/.exec(output)?.[1] ?? "").match(/\d+/g) ?? [];
  const errors =
    Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0) +
    socketErrors.reduce((sum, count) => sum + Number(count), 0);
  return {
    rps,
    p50: latencyMs(output, "50%"),
    p99: latencyMs(output, "99%"),
    errors,
  };
}

function latencyMs(output: string, percentile: string): number {
  const match = new RegExp(`${percentile}\\s+([\\d.]+)(us|ms|s)`).exec(output);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

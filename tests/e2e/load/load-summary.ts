/** Numbers drawn from a load run's samples, and the lines the test prints about them. */
import type { LoadReport } from "./load-run.ts";
import type { DescriptorCensus } from "./process-probe.ts";

/** The server's resident memory (MiB) in one third of the measured time. */
export interface ThirdOfRun {
  peak: number;
  median: number;
}

/** The first, middle and last third of the time after the warm-up. */
export function residentByThird(report: LoadReport, warmupSeconds: number): ThirdOfRun[] {
  const measured = report.samples.filter((sample) => sample.at >= warmupSeconds * 1000);
  const first = measured[0]?.at ?? 0;
  const span = (measured.at(-1)?.at ?? 0) - first;
  const thirds: number[][] = [[], [], []];
  for (const sample of measured) {
    const third = Math.min(2, Math.floor(((sample.at - first) / (span || 1)) * 3));
    thirds[third]?.push(sample.rssKiB / 1024);
  }
  return thirds.map((values) => ({
    peak: Math.max(0, ...values),
    median: percentile(values, 0.5),
  }));
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

function censusLine(census: DescriptorCensus): string {
  return (
    `${census.total} (${census.files.length} files, ${census.listening} listening, ` +
    `${census.established} connections, ${census.closing} closing, ${census.other} other)`
  );
}

/** What the run measured, in lines for the test's output. */
export function summarize(
  report: LoadReport,
  clients: number,
  warmupSeconds: number,
  descriptors: { before: DescriptorCensus; after: DescriptorCensus },
): string {
  const { stats, samples } = report;
  const rss = samples.map((sample) => sample.rssKiB / 1024);
  const lags = samples.map((sample) => sample.lagMs);
  const mib = (value: number) => value.toFixed(1);
  const thirds = residentByThird(report, warmupSeconds);
  return [
    `load: ${clients} clients, ${report.elapsedSeconds.toFixed(1)} s, ${stats.requests} requests, ` +
      `${(stats.requests / report.elapsedSeconds).toFixed(0)} req/s, ` +
      `${stats.failures} failed operations, ${stats.networkErrors} network errors`,
    `latency ms: p50 ${stats.latencyPercentile(0.5).toFixed(1)}, ` +
      `p99 ${stats.latencyPercentile(0.99).toFixed(1)}`,
    `server RSS MiB: min ${mib(Math.min(...rss))}, max ${mib(Math.max(...rss))}, ` +
      `by third after warm-up: peaks ${thirds.map((third) => mib(third.peak)).join(" / ")}, ` +
      `medians ${thirds.map((third) => mib(third.median)).join(" / ")}`,
    `CPU s: server ${report.serverCpuSeconds.toFixed(1)}, client ${report.clientCpuSeconds.toFixed(1)}; ` +
      `client event-loop lag ms p99 ${percentile(lags, 0.99)}, max ${Math.max(...lags)}`,
    `TCP endpoints on the port: established max ${Math.max(...samples.map((s) => s.established))}, ` +
      `TIME_WAIT max ${Math.max(...samples.map((s) => s.timeWait))}`,
    `descriptors before: ${censusLine(descriptors.before)}`,
    `descriptors after:  ${censusLine(descriptors.after)}`,
    ...[...stats.operations].map(
      ([name, { done, failed }]) => `  ${name}: ${done} done, ${failed} failed`,
    ),
    ...stats.failureSamples.map((sample) => `  failure: ${sample}`),
  ].join("\n");
}

/**
 * MCR side by side with CNCF Distribution (Debian's docker-registry), in one run on this
 * machine: each scenario runs against both on fresh storage, alternating A B A B, and the
 * table reports medians and the MCR/Distribution ratio (above 1 means MCR is ahead).
 *
 *     bun run bench                    # full run: 1 GiB blobs, 5 rounds
 *     BENCH_ROUNDS=1 BENCH_BLOB_MIB=128 BENCH_TAGS=500 BENCH_REPOSITORIES=500 bun run bench
 *     BENCH_ONLY="manifest GET" bun run bench   # one scenario (names as in the table)
 *
 * Needs wrk, skopeo and docker-registry (apt-get install wrk skopeo docker-registry) and,
 * for the skopeo row, the images of ../shared/realworld/make-images.sh in BENCH_IMAGES.
 */
import { cpus } from "node:os";
import { mcrColdStartMs } from "./lib/cold-start.ts";
import { type DiskLimits, measureDiskLimits, measureMachineLimits } from "./lib/machine-limits.ts";
import { RssSampler } from "./lib/rss.ts";
import { type ServerKind, startServer } from "./lib/servers.ts";
import { formatNumber, median } from "./lib/stats.ts";
import { largeBlobScenario, parallelPushScenario } from "./scenarios/blobs.ts";
import { manifestGetScenario } from "./scenarios/manifests.ts";
import type { Measurement, Scenario } from "./scenarios/scenario.ts";
import { skopeoAvailable, skopeoScenario } from "./scenarios/skopeo.ts";
import { catalogScenario, tagScenario } from "./scenarios/tags.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BLOB_MIB = Number(process.env.BENCH_BLOB_MIB ?? 1024);
const SERVERS: ServerKind[] = ["mcr", "distribution"];

/** BENCH_ONLY="manifest GET,tags" runs just those scenarios, for a quick check of one row. */
const ONLY = process.env.BENCH_ONLY?.split(",").map((name) => name.trim());

const allScenarios: Scenario[] = [
  largeBlobScenario(ROUNDS),
  manifestGetScenario(Math.min(ROUNDS, 3)),
  parallelPushScenario(ROUNDS),
  tagScenario(Math.min(ROUNDS, 3)),
  catalogScenario(Math.min(ROUNDS, 2)),
];
if (skopeoAvailable()) allScenarios.push(skopeoScenario(ROUNDS));
else console.error("skopeo row skipped: no skopeo or no test images (see BENCH_IMAGES)");
const scenarios = allScenarios.filter((scenario) => !ONLY || ONLY.includes(scenario.name));

/** Every value seen, by row and server. */
const values = new Map<
  string,
  { unit: string; better: string; by: Record<ServerKind, number[]> }
>();
/** The disk limits measured after each round of the large blob scenario, and at the end. */
const diskSamples: DiskLimits[] = [];
/** Peak resident memory by scenario: each round runs on a fresh server process. */
const peakRss = new Map<string, Record<ServerKind, number>>();

function record(kind: ServerKind, measurements: Measurement[]) {
  for (const { row, value, unit, better } of measurements) {
    const entry = values.get(row) ?? { unit, better, by: { mcr: [], distribution: [] } };
    entry.by[kind].push(value);
    values.set(row, entry);
  }
}

for (const scenario of scenarios) {
  for (let round = 0; round < scenario.rounds; round++) {
    // Alternate who goes first, so neither always runs on a warmer machine.
    const order = round % 2 === 0 ? SERVERS : [...SERVERS].reverse();
    for (const kind of order) {
      const server = await startServer(kind);
      const sampler = new RssSampler(server.pid);
      try {
        record(kind, await scenario.run(server));
      } finally {
        const peaks = peakRss.get(scenario.name) ?? { mcr: 0, distribution: 0 };
        peaks[kind] = Math.max(peaks[kind], sampler.stop());
        peakRss.set(scenario.name, peaks);
        await server.stop();
      }
      console.error(`${scenario.name}: round ${round + 1}/${scenario.rounds} on ${kind} done`);
    }
    if (scenario.name === "large blob") diskSamples.push(measureDiskLimits(BLOB_MIB));
  }
}

const coldStarts: number[] = [];
for (let i = 0; i < 5; i++) coldStarts.push(await mcrColdStartMs());
const limits = await measureMachineLimits(BLOB_MIB);
diskSamples.push(limits);
const diskLimit = (key: keyof DiskLimits) => median(diskSamples.map((sample) => sample[key]));
const diskNote = diskSamples.length > 1 ? ` (median of ${diskSamples.length})` : "";

const lines = [
  `Measured ${new Date().toISOString().slice(0, 16)}Z on ${cpus().length} cores (${cpus()[0]?.model ?? "unknown"}), ${ROUNDS} rounds.`,
  "",
  "| scenario | MCR | Distribution | unit | MCR / Distribution |",
  "| --- | --- | --- | --- | --- |",
];
for (const [row, entry] of values) {
  const mcr = median(entry.by.mcr);
  const distribution = median(entry.by.distribution);
  // "How many times better": throughput divides one way, time the other.
  const ratio = entry.better === "higher" ? mcr / distribution : distribution / mcr;
  const shown = Number.isFinite(ratio) && ratio > 0 ? `${ratio.toFixed(2)}x` : "n/a";
  lines.push(
    `| ${row} | ${formatNumber(mcr)} | ${formatNumber(distribution)} | ${entry.unit} | ${shown} |`,
  );
}
for (const [name, peaks] of peakRss) {
  lines.push(
    `| peak RSS, ${name} | ${formatNumber(peaks.mcr)} | ${formatNumber(peaks.distribution)} | MiB | |`,
  );
}
lines.push(
  `| cold start of mcr serve to the first 200 on /v2/ (median of 5) | ${formatNumber(median(coldStarts))} | | ms | |`,
  "",
  "Limits of this machine, same run:",
  "",
  "| limit | value |",
  "| --- | --- |",
  `| sha256 (CryptoHasher) of ${BLOB_MIB} MiB | ${formatNumber(limits.sha256MiBps)} MiB/s |`,
  `| write ${BLOB_MIB} MiB, fsync${diskNote} | ${formatNumber(diskLimit("writeFsyncMiBps"))} MiB/s |`,
  `| hash + write + fsync ${BLOB_MIB} MiB${diskNote} | ${formatNumber(diskLimit("hashWriteFsyncMiBps"))} MiB/s |`,
  `| read it back | ${formatNumber(limits.readBackMiBps)} MiB/s |`,
  `| trivial Bun server receiving ${BLOB_MIB} MiB over loopback | ${formatNumber(limits.trivialReceiveMiBps)} MiB/s |`,
  `| trivial Bun server serving ${BLOB_MIB} MiB over loopback | ${formatNumber(limits.trivialServeMiBps)} MiB/s |`,
);
console.log(lines.join("\n"));

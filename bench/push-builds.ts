/**
 * Blob pushes of two or more builds of mcr, side by side: `bun bench/push-builds.ts A B ...`.
 *
 * For comparing a change to the upload path before and after: no Distribution, the rows the
 * change touches, and this disk's own limit measured between rounds (its speed drifts within
 * minutes, so a build measured in a slow minute would look worse than it is). Each round
 * starts every build fresh on empty storage, in an order that rotates round by round, and
 * measures a 1 GiB push by curl and by Bun's fetch, 32 parallel curl pushes of 64 MiB, and
 * the server's peak RSS. Knobs: BENCH_ROUNDS (5), BENCH_BLOB_MIB (1024), BENCH_PARALLEL_MIB (64).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileOf } from "./lib/blob-data.ts";
import { measureDiskLimits } from "./lib/machine-limits.ts";
import { recycleMemory } from "./lib/recycled-memory.ts";
import { inParallel, pushChunked, pushMonolithic, pushWithCurl } from "./lib/registry-client.ts";
import { RssSampler } from "./lib/rss.ts";
import { freePort, spawnMcr, waitForV2 } from "./lib/servers.ts";
import { formatNumber, median, secondsSince } from "./lib/stats.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BLOB_MIB = Number(process.env.BENCH_BLOB_MIB ?? 1024);
const PARALLEL = 32;
const PARALLEL_MIB = Number(process.env.BENCH_PARALLEL_MIB ?? 64);
const builds = process.argv.slice(2);
if (builds.length === 0) builds.push(join(import.meta.dir, "../dist/mcr"));

const units = {
  "curl push": "MiB/s",
  "Bun push": "MiB/s",
  "16 MiB PATCHes": "MiB/s",
  "32 curl pushes": "s",
  "peak RSS, one PUT": "MiB",
  "peak RSS, PATCHes": "MiB",
  "peak RSS, 32 pushes": "MiB",
};
type Row = keyof typeof units;
/** Every round's measurements, by build. */
const rounds = new Map<string, Record<Row, number>[]>(builds.map((build) => [build, []]));
const diskLimits: number[] = [];

async function measure(build: string): Promise<Record<Row, number>> {
  const dataDir = mkdtempSync(join(tmpdir(), "push-builds-"));
  const port = await freePort();
  const child = spawnMcr(port, dataDir, build);
  const url = `http://127.0.0.1:${port}`;
  /** Runs `work`, which writes `mib` MiB, and returns its seconds and the server's peak RSS. */
  const timed = async (mib: number, work: () => Promise<unknown>) => {
    recycleMemory(mib);
    const rss = new RssSampler(child.pid);
    const started = performance.now();
    await work();
    return { seconds: secondsSince(started), peak: rss.stop() };
  };
  try {
    await waitForV2(url, 10_000);
    let curl = 0;
    const single = await timed(BLOB_MIB, async () => {
      curl = await pushWithCurl(url, "bench/large", 3, BLOB_MIB);
    });
    const bun = await timed(BLOB_MIB, () => pushMonolithic(url, "bench/large", 1, BLOB_MIB));
    const chunked = await timed(BLOB_MIB, () => pushChunked(url, "bench/large", 2, BLOB_MIB, 16));
    const parallel = await timed(PARALLEL * PARALLEL_MIB, () =>
      inParallel(PARALLEL, PARALLEL, async (i) => {
        await pushWithCurl(url, `bench/parallel-${i % 4}`, 200 + i, PARALLEL_MIB);
      }),
    );
    return {
      "curl push": curl,
      "Bun push": BLOB_MIB / bun.seconds,
      "16 MiB PATCHes": BLOB_MIB / chunked.seconds,
      "32 curl pushes": parallel.seconds,
      "peak RSS, one PUT": Math.max(single.peak, bun.peak),
      "peak RSS, PATCHes": chunked.peak,
      "peak RSS, 32 pushes": parallel.peak,
    };
  } finally {
    child.kill("SIGTERM");
    await child.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

for (let i = 0; i < PARALLEL; i++) fileOf(200 + i, PARALLEL_MIB);
for (let round = 0; round < ROUNDS; round++) {
  const order = builds.map((_, i) => builds[(i + round) % builds.length] as string);
  for (const build of order) {
    rounds.get(build)?.push(await measure(build));
  }
  diskLimits.push(measureDiskLimits(BLOB_MIB).hashWriteFsyncMiBps);
  console.error(`round ${round + 1}/${ROUNDS} done`);
}

const limit = median(diskLimits);
console.log(
  `hash + write + fsync of ${BLOB_MIB} MiB, median of ${ROUNDS}: ${formatNumber(limit)} MiB/s\n`,
);
console.log(`| row | ${builds.join(" | ")} |`);
console.log(`| --- |${builds.map(() => " --- |").join("")}`);
for (const row of Object.keys(units) as Row[]) {
  const cells = builds.map((build) => {
    const value = median((rounds.get(build) ?? []).map((measured) => measured[row]));
    const share = units[row] === "MiB/s" ? ` (${Math.round((100 * value) / limit)}%)` : "";
    return `${formatNumber(value)} ${units[row]}${share}`;
  });
  console.log(`| ${row} | ${cells.join(" | ")} |`);
}

import { CHUNK_BYTES, digestOf, fileOf } from "../lib/blob-data.ts";
import { recycleMemory } from "../lib/recycled-memory.ts";
import {
  inParallel,
  pullBlob,
  pushChunked,
  pushMonolithic,
  pushWithCurl,
} from "../lib/registry-client.ts";
import { secondsSince } from "../lib/stats.ts";
import type { Measurement, Scenario } from "./scenario.ts";

const BLOB_MIB = Number(process.env.BENCH_BLOB_MIB ?? 1024);
const PARALLEL = 32;
const PARALLEL_MIB = Number(process.env.BENCH_PARALLEL_MIB ?? 64);
const RANGE_MIB = 64;

/** Scenarios 1 and 2: push a large blob whole and in 16 MiB chunks, pull it, read a range. */
export function largeBlobScenario(rounds: number): Scenario {
  return {
    name: "large blob",
    rounds,
    async run(server): Promise<Measurement[]> {
      const repository = "bench/large";
      recycleMemory(BLOB_MIB);
      let started = performance.now();
      await pushMonolithic(server.url, repository, 1, BLOB_MIB);
      const single = BLOB_MIB / secondsSince(started);

      recycleMemory(BLOB_MIB);
      const curlPush = await pushWithCurl(server.url, repository, 3, BLOB_MIB);

      recycleMemory(BLOB_MIB);
      started = performance.now();
      await pushChunked(server.url, repository, 2, BLOB_MIB, 16);
      const chunked = BLOB_MIB / secondsSince(started);

      started = performance.now();
      const bytes = await pullBlob(server.url, repository, digestOf(1, BLOB_MIB));
      const pull = bytes / CHUNK_BYTES / secondsSince(started);
      if (bytes !== BLOB_MIB * CHUNK_BYTES) throw new Error(`pulled ${bytes} bytes`);
      const curlPull = curlDownloadMiBps(
        `${server.url}/v2/${repository}/blobs/${digestOf(1, BLOB_MIB)}`,
        BLOB_MIB,
      );

      const offset = Math.floor(BLOB_MIB / 3) * CHUNK_BYTES;
      const range = `bytes=${offset}-${offset + RANGE_MIB * CHUNK_BYTES - 1}`;
      started = performance.now();
      await pullBlob(server.url, repository, digestOf(1, BLOB_MIB), range);
      const rangeMs = secondsSince(started) * 1000;

      const size = BLOB_MIB >= 1024 ? `${BLOB_MIB / 1024} GiB` : `${BLOB_MIB} MiB`;
      return [
        { row: `push ${size}, one PUT, Bun fetch`, value: single, unit: "MiB/s", better: "higher" },
        { row: `push ${size}, one PUT, curl`, value: curlPush, unit: "MiB/s", better: "higher" },
        { row: `push ${size}, 16 MiB PATCHes`, value: chunked, unit: "MiB/s", better: "higher" },
        { row: `pull ${size} (GET), Bun fetch`, value: pull, unit: "MiB/s", better: "higher" },
        { row: `pull ${size} (GET), curl`, value: curlPull, unit: "MiB/s", better: "higher" },
        { row: `range read ${RANGE_MIB} MiB`, value: rangeMs, unit: "ms", better: "lower" },
      ];
    },
  };
}

/** Scenario 4: 32 pushes of distinct blobs at once. */
export function parallelPushScenario(rounds: number): Scenario {
  return {
    name: "parallel pushes",
    rounds,
    async run(server): Promise<Measurement[]> {
      for (let i = 0; i < PARALLEL; i++) digestOf(100 + i, PARALLEL_MIB);
      let errors = 0;
      recycleMemory(PARALLEL * PARALLEL_MIB);
      const started = performance.now();
      await inParallel(PARALLEL, PARALLEL, async (i) => {
        try {
          await pushMonolithic(server.url, `bench/parallel-${i % 4}`, 100 + i, PARALLEL_MIB);
        } catch {
          errors++;
        }
      });
      const seconds = secondsSince(started);

      // The same with 32 curl processes uploading from files, a client that costs little.
      for (let i = 0; i < PARALLEL; i++) fileOf(200 + i, PARALLEL_MIB);
      recycleMemory(PARALLEL * PARALLEL_MIB);
      const curlStarted = performance.now();
      await inParallel(PARALLEL, PARALLEL, async (i) => {
        try {
          await pushWithCurl(server.url, `bench/parallel-${i % 4}`, 200 + i, PARALLEL_MIB);
        } catch {
          errors++;
        }
      });
      const curlSeconds = secondsSince(curlStarted);

      const row = `${PARALLEL} parallel pushes of ${PARALLEL_MIB} MiB`;
      return [
        { row: `${row}: total time, Bun fetch`, value: seconds, unit: "s", better: "lower" },
        { row: `${row}: total time, curl`, value: curlSeconds, unit: "s", better: "lower" },
        { row: `${row}: errors`, value: errors, unit: "", better: "lower" },
      ];
    },
  };
}

/**
 * Downloads `url` with curl into /dev/null and returns its speed. The Bun fetch client reads
 * a large body slower than either server sends it (and slower from one than the other), so
 * the pull is also measured with a client written in C that is not the bottleneck.
 */
function curlDownloadMiBps(url: string, expectedMiB: number): number {
  const curl = Bun.spawnSync([
    "curl",
    "--silent",
    "--fail",
    "--output",
    "/dev/null",
    "--write-out",
    "%{size_download} %{speed_download}",
    url,
  ]);
  const [size, speed] = curl.stdout.toString().split(" ").map(Number);
  if (curl.exitCode !== 0 || size !== expectedMiB * CHUNK_BYTES) {
    throw new Error(`curl pulled ${size} bytes (exit ${curl.exitCode})`);
  }
  return (speed ?? 0) / CHUNK_BYTES;
}

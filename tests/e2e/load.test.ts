/**
 * Load test of the compiled binary: 200 concurrent clients (MCR_LOAD_CLIENTS) push and pull
 * a mix of blobs, chunked uploads, manifests, tags, catalog pages, mounts and deletes on
 * loopback, half with Basic credentials and half with tokens from /v2/token, while a few
 * admin clients list things over REST and RPC. It runs MCR_LOAD_SECONDS (15) after a warm-up
 * of 3 s; for a long soak, e.g. `MCR_LOAD_SECONDS=600 bun test tests/e2e/load.test.ts`.
 *
 * It passes only if every answer was the expected one (status, and content hashing to its
 * digest), the server's memory stayed flat, and no file descriptor, connection or upload
 * was left behind. It prints what it measured: requests per second, latency, memory,
 * descriptors, and the CPU of server and client (on a small machine the client's share
 * shows whether it, rather than the server, limited the run).
 */
import { afterEach, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { settledDescriptors } from "./load/connection-flush.ts";
import { type LoadRegistry, startLoadRegistry } from "./load/load-registry.ts";
import { runLoad } from "./load/load-run.ts";
import { residentByThird, summarize } from "./load/load-summary.ts";
import { operationNames } from "./load/workload.ts";

const SECONDS = Number(process.env.MCR_LOAD_SECONDS || 15);
const CLIENTS = Number(process.env.MCR_LOAD_CLIENTS || 200);
const WARMUP_SECONDS = 3;
/**
 * How much the last third's peak RSS may exceed the first third's. Runs here (2 cores shared
 * with other work) peaked per third at 195/172/154, 152/153/137, 167/152/143, 159/181/172
 * and 142/142/194 MiB in 15 s, 207/243/202 MiB in 120 s and 134/194/146 MiB in 90 s. A peak
 * depends on how many bodies are in flight at once and on when the JS collector runs, so
 * with no leak a later third peaked up to 60 MiB above the first (even the median of a
 * third moved 36 MiB in one 15 s run), while the long runs show no trend. The margin sits
 * well above that noise: CI's 15 s run catches a runaway (a retained body per push is
 * ~100 MiB), and a soak (`MCR_LOAD_SECONDS=600`, ~10x the requests) catches leaks of
 * ~1 KiB per request.
 */
const RSS_PEAK_GROWTH_MIB = 96;

let registry: LoadRegistry | null = null;
afterEach(async () => {
  await registry?.destroy();
  registry = null;
});

async function uploadsInProgress(url: string): Promise<number> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  return Number(/^mcr_uploads_in_progress (\d+)$/m.exec(metrics)?.[1] ?? Number.NaN);
}

test(
  `${CLIENTS} concurrent clients for ${SECONDS} s: no errors, flat memory, no leaks`,
  async () => {
    // The default idle timeout (60 s): with a short one the server closes pooled connections
    // just as clients reuse them, a race of HTTP/1.1 keep-alive that clients see as resets.
    registry = await startLoadRegistry({});
    const before = await settledDescriptors(registry);

    const report = await runLoad(registry, {
      clients: CLIENTS,
      adminClients: 4,
      warmupSeconds: WARMUP_SECONDS,
      seconds: SECONDS,
    });
    const after = await settledDescriptors(registry);
    console.log(summarize(report, CLIENTS, WARMUP_SECONDS, { before, after }));

    // Every answer as expected, every kind of operation run.
    expect(report.stats.failureSamples).toEqual([]);
    expect(report.stats.networkErrors).toBe(0);
    expect([...report.stats.operations.keys()].sort()).toEqual(operationNames().sort());
    for (const [, counts] of report.stats.operations) expect(counts.done).toBeGreaterThan(0);

    // Memory flat once warm.
    const [first, , last] = residentByThird(report, WARMUP_SECONDS);
    expect(last?.peak ?? 0).toBeLessThanOrEqual((first?.peak ?? 0) + RSS_PEAK_GROWTH_MIB);

    // No descriptor left behind once the clients have gone: the same files and listeners,
    // no connection open or half-closed (CLOSE_WAIT), and nothing else (the runtime's pipes
    // and eventfds) beyond a small tolerance.
    expect(after.files).toEqual(before.files);
    expect(after.listening).toBe(before.listening);
    expect(after.established).toBe(0);
    expect(after.closing).toBe(0);
    expect(Math.abs(after.total - before.total)).toBeLessThanOrEqual(2);

    // The client never came near running out of ephemeral ports (each TIME_WAIT holds one).
    const [low = 0, high = 0] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/)
      .map(Number);
    const timeWaitPeak = Math.max(...report.samples.map((sample) => sample.timeWait));
    expect(timeWaitPeak).toBeLessThan((high - low) / 2);

    // Every upload finished or was cancelled: no session row, no file.
    expect(readdirSync(join(registry.dataDir, "uploads"))).toEqual([]);
    expect(await uploadsInProgress(registry.url)).toBe(0);
  },
  (SECONDS + WARMUP_SECONDS + 60) * 1000,
);

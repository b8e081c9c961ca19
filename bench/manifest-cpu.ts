/**
 * Server CPU time per manifest GET: `bun bench/manifest-cpu.ts [binary ...]`.
 *
 * Requests per second move with whatever else runs on the machine; the CPU time the server
 * process spends per request moves much less, so this is the measure to compare builds on a
 * shared machine. Each binary (default: dist/mcr) is started fresh on empty storage, gets one
 * small image, and serves `wrk -t1` by tag; the server's utime + stime from /proc before and
 * after the run, divided by the requests wrk completed, is the CPU per request. Binaries
 * alternate round by round so that load changes fall on all of them alike.
 *
 * Knobs: BENCH_ROUNDS (3), BENCH_WRK_SECONDS (10), BENCH_CONNECTIONS (64; a comma list).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pushSmallImage } from "./lib/registry-client.ts";
import { freePort, spawnMcr, waitForV2 } from "./lib/servers.ts";
import { median } from "./lib/stats.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 10);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? "64").split(",").map(Number);
/** Linux reports process CPU time in clock ticks of 1/100 s (sysconf(_SC_CLK_TCK)). */
const TICKS_PER_SECOND = 100;
const ACCEPT =
  "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";

interface Sample {
  requestsPerSecond: number;
  cpuMicrosecondsPerRequest: number;
  /** wrk's own CPU per request: on two cores, what the client takes the server cannot use. */
  clientMicrosecondsPerRequest: number;
}

/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) is in parentheses and may hold blanks: count after it.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

async function measure(binary: string, connections: number): Promise<Sample> {
  const dataDir = mkdtempSync(join(tmpdir(), "mcr-cpu-bench-"));
  const port = await freePort();
  const child = spawnMcr(port, dataDir, binary);
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitForV2(url, 10_000);
    await pushSmallImage(url, "bench/app", "latest");

    const before = cpuSeconds(child.pid);
    const wrk = Bun.spawn(
      [
        "wrk",
        "-t1",
        `-c${connections}`,
        `-d${SECONDS}s`,
        "-H",
        ACCEPT,
        `${url}/v2/bench/app/manifests/latest`,
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    const output = await new Response(wrk.stdout).text();
    const after = cpuSeconds(child.pid);
    if ((await wrk.exited) !== 0) throw new Error(`wrk failed: ${output}`);
    if (/Non-2xx|Socket errors/.test(output)) throw new Error(`wrk saw errors: ${output}`);

    const requests = Number(/(\d+) requests in/.exec(output)?.[1]);
    const client = wrk.resourceUsage()?.cpuTime;
    return {
      requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]),
      cpuMicrosecondsPerRequest: ((after - before) * 1e6) / requests,
      clientMicrosecondsPerRequest: client ? Number(client.total) / requests : Number.NaN,
    };
  } finally {
    child.kill("SIGTERM");
    await child.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const binaries = process.argv.length > 2 ? process.argv.slice(2) : ["dist/mcr"];
const samples = new Map<string, Sample[]>();
for (let round = 0; round < ROUNDS; round++) {
  // A B, B A, ...: neither build always runs first.
  const order = round % 2 === 0 ? binaries : [...binaries].reverse();
  for (const connections of CONNECTIONS) {
    for (const binary of order) {
      const sample = await measure(binary, connections);
      const key = `${binary} c${connections}`;
      samples.set(key, [...(samples.get(key) ?? []), sample]);
      console.log(`round ${round + 1} ${key}: ${describe(sample)}`);
    }
  }
}

console.log("\nmedians:");
for (const [key, list] of samples) {
  const middle = (pick: (sample: Sample) => number) => median(list.map(pick));
  const summary = describe({
    requestsPerSecond: middle((sample) => sample.requestsPerSecond),
    cpuMicrosecondsPerRequest: middle((sample) => sample.cpuMicrosecondsPerRequest),
    clientMicrosecondsPerRequest: middle((sample) => sample.clientMicrosecondsPerRequest),
  });
  console.log(`${key}: ${summary}`);
}

function describe(sample: Sample): string {
  const server = sample.cpuMicrosecondsPerRequest.toFixed(1);
  const client = sample.clientMicrosecondsPerRequest.toFixed(1);
  return `server ${server} µs CPU/request, wrk ${client} µs, ${Math.round(sample.requestsPerSecond)} req/s`;
}

/**
 * Pushes one large blob through the compiled binary in one PUT and again in 16 MiB PATCHes,
 * pulls it, and reports the server's peak resident memory and throughput of each: memory must
 * not grow with blob size.
 *
 *     bun run bench:memory                      # 1 GiB
 *     BENCH_BLOB_MIB=4096 bun run bench:memory
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMcr } from "../tests/e2e/mcr-process.ts";
import { pushChunked } from "./lib/registry-client.ts";

const BLOB_MIB = Number(process.env.BENCH_BLOB_MIB ?? 1024);
const CHUNK = new Uint8Array(1024 * 1024);
for (let i = 0; i < CHUNK.length; i++) CHUNK[i] = (i * 2654435761) >>> 24;

const dataDir = mkdtempSync(join(tmpdir(), "mcr-bench-"));
// An open registry: this measures storage, not authentication.
const mcr = await startMcr(["--listen", "127.0.0.1:0", "--data-dir", dataDir], {
  cwd: dataDir,
  env: { MCR_AUTH_PROVIDER: "none" },
});
const server = mcr.process;

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Samples the server's RSS every 50 ms while `work` runs; returns the peak. */
async function peakRssDuring<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = rssMiB(server.pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(server.pid));
  }, 50);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, rssMiB(server.pid)) };
  } finally {
    clearInterval(sampler);
  }
}

function generatedBody(): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === BLOB_MIB) return controller.close();
      sent++;
      controller.enqueue(CHUNK.slice());
    },
  });
}

try {
  const base = mcr.url;
  const idle = rssMiB(server.pid);
  const hasher = new Bun.CryptoHasher("sha256");
  for (let i = 0; i < BLOB_MIB; i++) hasher.update(CHUNK);
  const digest = `sha256:${hasher.digest("hex")}`;

  const push = await peakRssDuring(async () => {
    const started = performance.now();
    const open = await fetch(`${base}/v2/bench/blob/blobs/uploads/`, { method: "POST" });
    const location = new URL(open.headers.get("location") ?? "", base);
    location.searchParams.set("digest", digest);
    const done = await fetch(location, { method: "PUT", body: generatedBody() });
    if (done.status !== 201) throw new Error(`push failed: ${done.status} ${await done.text()}`);
    return (performance.now() - started) / 1000;
  });

  const chunked = await peakRssDuring(async () => {
    const started = performance.now();
    await pushChunked(base, "bench/chunked", 1, BLOB_MIB, 16);
    return (performance.now() - started) / 1000;
  });

  const pull = await peakRssDuring(async () => {
    const started = performance.now();
    const response = await fetch(`${base}/v2/bench/blob/blobs/${digest}`);
    let bytes = 0;
    for await (const chunk of response.body ?? []) bytes += chunk.length;
    if (bytes !== BLOB_MIB * CHUNK.length) throw new Error(`pulled ${bytes} bytes`);
    return (performance.now() - started) / 1000;
  });

  const rows = [
    ["blob size", `${BLOB_MIB} MiB`],
    ["server RSS idle", `${idle.toFixed(1)} MiB`],
    ["push: peak server RSS", `${push.peak.toFixed(1)} MiB`],
    [
      "push: throughput",
      `${(BLOB_MIB / push.result).toFixed(0)} MiB/s (${push.result.toFixed(2)} s)`,
    ],
    ["16 MiB PATCHes: peak RSS", `${chunked.peak.toFixed(1)} MiB`],
    [
      "16 MiB PATCHes: speed",
      `${(BLOB_MIB / chunked.result).toFixed(0)} MiB/s (${chunked.result.toFixed(2)} s)`,
    ],
    ["pull: peak server RSS", `${pull.peak.toFixed(1)} MiB`],
    [
      "pull: throughput",
      `${(BLOB_MIB / pull.result).toFixed(0)} MiB/s (${pull.result.toFixed(2)} s)`,
    ],
  ];
  for (const [label, value] of rows) console.log(`${label?.padEnd(26)} ${value}`);
} finally {
  await mcr.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

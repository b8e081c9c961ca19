/**
 * Measures how long garbage collection of many unreferenced blobs stalls the registry: a
 * prober sends GET /v2/ and HEAD of a blob back to back before and during a collection,
 * and the latencies are compared. The data folder is filled directly through SQLite and the
 * filesystem, not over HTTP, so that 100,000 blobs take seconds to prepare.
 *
 *     bun run bench:gc                     # 100,000 unreferenced blobs
 *     BENCH_GC_BLOBS=20000 bun bench/gc-pause.ts
 *
 * Prints a table and replaces the "GC pause" section of BENCHMARKS.md.
 */
import { Database } from "bun:sqlite";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { GcReport, GcStatus } from "../src/gc/garbage-collector.ts";
import { MCR_BINARY, startMcr } from "../tests/e2e/mcr-process.ts";

const UNREFERENCED_BLOBS = Number(process.env.BENCH_GC_BLOBS ?? 100_000);
/** Manifests that keep their blobs; each references one config and LAYERS_PER_MANIFEST - 1 layers. */
const MANIFESTS = 3;
const LAYERS_PER_MANIFEST = 1000;
/** Unreferenced blobs are linked to all of these; the last one holds nothing else and goes. */
const REPOSITORIES = ["bench/app-0", "bench/app-1", "bench/app-2", "bench/scratch"];
/** Old enough for any grace period the server might be given. */
const CREATED_AT = Date.now() - 7 * 24 * 3600 * 1000;
const WARM_UP_MS = 1000;
const BASELINE_MS = 3000;
const STATUS_POLL_MS = 50;
/** The prober and the status poll give up after this, whatever the collection does. */
const HARD_CAP_MS = 10 * 60 * 1000;
const BENCHMARKS_FILE = resolve(import.meta.dir, "../BENCHMARKS.md");

const MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
const CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
const LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";

/** A blob written straight into the data folder. */
interface SeededBlob {
  digest: string;
  content: string;
}

/** A blob a manifest references: it must survive, readable through its repository. */
interface Survivor extends SeededBlob {
  repository: string;
}

/** One prober request: when it started (ms on performance.now()) and how long it took. */
interface Sample {
  at: number;
  ms: number;
  kind: "GET /v2/" | "HEAD blob";
  ok: boolean;
}

/** A phase of the collection and when the status poll first saw it. */
interface PhaseMark {
  phase: string;
  at: number;
}

/** Ten bytes of content named by their SHA-256, the way the blob store names files. */
function seededBlob(prefix: string, index: number): SeededBlob {
  const content = `${prefix}${String(index).padStart(9, "0")}`;
  const digest = `sha256:${new Bun.CryptoHasher("sha256").update(content).digest("hex")}`;
  return { digest, content };
}

function blobPath(dataDir: string, digest: string): string {
  const hex = digest.slice("sha256:".length);
  return join(dataDir, "blobs", "sha256", hex.slice(0, 2), hex);
}

function writeBlobFiles(dataDir: string, blobs: SeededBlob[]): void {
  for (let prefix = 0; prefix < 256; prefix++) {
    mkdirSync(join(dataDir, "blobs", "sha256", prefix.toString(16).padStart(2, "0")), {
      recursive: true,
    });
  }
  for (const blob of blobs) writeFileSync(blobPath(dataDir, blob.digest), blob.content);
}

/**
 * Lets the binary create the schema, then inserts the blobs, their links, and the manifests
 * that keep the survivors, in a few large transactions.
 */
async function prepareDataDir(dataDir: string) {
  const schemaRun = await startMcr(["--listen", "127.0.0.1:0", "--data-dir", dataDir], {
    cwd: dataDir,
    env: { MCR_AUTH_PROVIDER: "none" },
  });
  await schemaRun.stop();

  const unreferenced = Array.from({ length: UNREFERENCED_BLOBS }, (_, i) => seededBlob("g", i));
  const survivors: Survivor[] = [];
  for (let m = 0; m < MANIFESTS; m++) {
    for (let layer = 0; layer < LAYERS_PER_MANIFEST; layer++) {
      const blob = seededBlob("s", m * LAYERS_PER_MANIFEST + layer);
      survivors.push({ ...blob, repository: REPOSITORIES[m] as string });
    }
  }

  const sqlite = new Database(join(dataDir, "mcr.db"), { strict: true });
  sqlite.run("PRAGMA foreign_keys = ON");
  const insertRepository = sqlite.prepare(
    "INSERT INTO repositories (name, created_at) VALUES (?, ?) RETURNING id",
  );
  const insertBlob = sqlite.prepare(
    "INSERT INTO blobs (digest, size, created_at) VALUES (?, ?, ?)",
  );
  const insertLink = sqlite.prepare(
    "INSERT INTO repository_blobs (repository_id, digest, created_at) VALUES (?, ?, ?)",
  );
  const insertManifest = sqlite.prepare(
    `INSERT INTO manifests (repository_id, digest, media_type, size, content, created_at)
     VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const insertReference = sqlite.prepare(
    "INSERT INTO manifest_references (manifest_id, digest, kind) VALUES (?, ?, 'blob')",
  );
  const insertTag = sqlite.prepare(
    "INSERT INTO tags (repository_id, name, manifest_id, updated_at) VALUES (?, 'latest', ?, ?)",
  );

  const repositoryIds = sqlite.transaction(() =>
    REPOSITORIES.map((name) => (insertRepository.get(name, CREATED_AT) as { id: number }).id),
  )();
  const BATCH = 20_000;
  for (let start = 0; start < unreferenced.length; start += BATCH) {
    sqlite.transaction(() => {
      for (let i = start; i < Math.min(start + BATCH, unreferenced.length); i++) {
        const blob = unreferenced[i] as SeededBlob;
        insertBlob.run(blob.digest, blob.content.length, CREATED_AT);
        insertLink.run(repositoryIds[i % repositoryIds.length] as number, blob.digest, CREATED_AT);
      }
    })();
  }
  sqlite.transaction(() => {
    for (let m = 0; m < MANIFESTS; m++) {
      const blobs = survivors.slice(m * LAYERS_PER_MANIFEST, (m + 1) * LAYERS_PER_MANIFEST);
      const repositoryId = repositoryIds[m] as number;
      for (const blob of blobs) {
        insertBlob.run(blob.digest, blob.content.length, CREATED_AT);
        insertLink.run(repositoryId, blob.digest, CREATED_AT);
      }
      const [config, ...layers] = blobs.map((blob) => ({ digest: blob.digest, size: 10 }));
      const content = JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST_MEDIA_TYPE,
        config: { mediaType: CONFIG_MEDIA_TYPE, ...config },
        layers: layers.map((layer) => ({ mediaType: LAYER_MEDIA_TYPE, ...layer })),
      });
      const bytes = new TextEncoder().encode(content);
      const digest = `sha256:${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}`;
      const manifest = insertManifest.get(
        repositoryId,
        digest,
        MANIFEST_MEDIA_TYPE,
        bytes.byteLength,
        bytes,
        CREATED_AT,
      ) as { id: number };
      for (const blob of blobs) insertReference.run(manifest.id, blob.digest);
      insertTag.run(repositoryId, manifest.id, CREATED_AT);
    }
  })();
  sqlite.run("PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite.close();

  writeBlobFiles(dataDir, [...unreferenced, ...survivors]);
  return { survivors };
}

/** A free loopback port: `serve` at log level warn does not print the one it chose. */
function freePort(): number {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = probe.port as number;
  probe.stop(true);
  return port;
}

/** Starts `dist/mcr serve` as the measured server and waits until /v2/ answers. */
async function startQuietServer(dataDir: string) {
  const url = `http://127.0.0.1:${freePort()}`;
  const child = Bun.spawn(
    [MCR_BINARY, "serve", "--listen", url.slice("http://".length), "--data-dir", dataDir],
    {
      cwd: dataDir,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        MCR_AUTH_PROVIDER: "none",
        MCR_GC_GRACE_PERIOD: "0s",
        MCR_LOG_LEVEL: "warn",
      },
      stdin: "ignore",
      stdout: "ignore",
      stderr: "pipe",
    },
  );
  let log = "";
  const decoder = new TextDecoder();
  const drained = (async () => {
    for await (const chunk of child.stderr) log += decoder.decode(chunk, { stream: true });
  })();

  const deadline = Date.now() + 10_000;
  for (;;) {
    const ready = await fetch(`${url}/v2/`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`mcr serve did not start (exit ${child.exitCode}):\n${log}`);
    }
    await Bun.sleep(20);
  }

  return {
    url,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await child.exited;
      await drained.catch(() => {});
    },
  };
}

/** Sends its two requests back to back, one at a time, until stopped or the hard cap. */
function startProber(url: string, blob: Survivor) {
  const samples: Sample[] = [];
  const deadline = performance.now() + HARD_CAP_MS;
  let stopped = false;
  const requests = [
    { kind: "GET /v2/" as const, url: `${url}/v2/`, method: "GET" },
    {
      kind: "HEAD blob" as const,
      url: `${url}/v2/${blob.repository}/blobs/${blob.digest}`,
      method: "HEAD",
    },
  ];
  const running = (async () => {
    for (let i = 0; !stopped && performance.now() < deadline; i++) {
      const request = requests[i % requests.length] as (typeof requests)[number];
      const at = performance.now();
      const response = await fetch(request.url, { method: request.method });
      await response.arrayBuffer();
      samples.push({ at, ms: performance.now() - at, kind: request.kind, ok: response.ok });
    }
  })();
  return {
    samples,
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}

/**
 * Starts a collection with reconcile and polls its status until it is idle. Returns when it
 * started and ended (performance.now()), the phases seen, and the server's report.
 */
async function runCollection(url: string) {
  const startedAt = performance.now();
  const started = await fetch(`${url}/v1/gc`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ reconcile: true }),
  });
  if (started.status !== 202) throw new Error(`POST /v1/gc: ${started.status}`);
  const first = (await started.json()) as GcStatus;
  const phases: PhaseMark[] = [{ phase: first.phase ?? "?", at: startedAt }];

  for (;;) {
    await Bun.sleep(STATUS_POLL_MS);
    const status = (await (await fetch(`${url}/v1/gc/status`)).json()) as GcStatus;
    const now = performance.now();
    if (status.state === "idle") {
      if (!status.last) throw new Error("the collection left no report");
      return { startedAt, endedAt: now, phases, report: status.last as GcReport };
    }
    const phase = status.phase ?? "?";
    if (phase !== phases.at(-1)?.phase) phases.push({ phase, at: now });
    if (now - startedAt > HARD_CAP_MS) throw new Error("the collection ran past the hard cap");
  }
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

function latencies(samples: Sample[]) {
  const sorted = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  return {
    count: sorted.length,
    failed: samples.filter((sample) => !sample.ok).length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** Checks every survivor over HTTP and that the blob folder holds exactly the survivors. */
async function verifySurvivors(url: string, dataDir: string, survivors: Survivor[]) {
  const problems: string[] = [];
  for (const blob of survivors) {
    const response = await fetch(`${url}/v2/${blob.repository}/blobs/${blob.digest}`);
    const body = await response.text();
    if (response.status !== 200 || body !== blob.content) {
      problems.push(`${blob.digest} in ${blob.repository}: ${response.status}`);
    }
  }

  const root = join(dataDir, "blobs", "sha256");
  const onDisk = new Set(
    readdirSync(root).flatMap((prefix) =>
      readdirSync(join(root, prefix)).map((name) => `sha256:${name}`),
    ),
  );
  const expected = new Set(survivors.map((blob) => blob.digest));
  const missing = [...expected].filter((digest) => !onDisk.has(digest));
  const extra = [...onDisk].filter((digest) => !expected.has(digest));
  if (missing.length > 0) problems.push(`${missing.length} survivor files missing`);
  if (extra.length > 0) problems.push(`${extra.length} files left that should be gone`);
  return { problems, filesLeft: onDisk.size };
}

function formatMs(ms: number): string {
  return Number.isNaN(ms) ? "-" : `${ms.toFixed(1)} ms`;
}

/** Replaces the "GC pause" section of BENCHMARKS.md, creating the file when missing. */
function writeSection(section: string): void {
  const intro =
    "# Benchmarks\n\n" +
    "Measured on a 2-core Linux virtual machine with the compiled binary (`dist/mcr`); each\n" +
    "section says how to run its benchmark and when it was last measured.\n";
  const text = existsSync(BENCHMARKS_FILE) ? readFileSync(BENCHMARKS_FILE, "utf8") : intro;
  const start = text.indexOf("\n## GC pause\n");
  let updated: string;
  if (start === -1) {
    updated = `${text.trimEnd()}\n\n${section}`;
  } else {
    const next = text.indexOf("\n## ", start + 1);
    const rest = next === -1 ? "" : `\n${text.slice(next + 1)}`;
    updated = `${text.slice(0, start).trimEnd()}\n\n${section}${rest}`;
  }
  writeFileSync(BENCHMARKS_FILE, updated);
}

const dataDir = mkdtempSync(join(tmpdir(), "mcr-bench-gc-"));
let server: Awaited<ReturnType<typeof startQuietServer>> | undefined;
try {
  const preparing = performance.now();
  const { survivors } = await prepareDataDir(dataDir);
  const preparedIn = (performance.now() - preparing) / 1000;
  console.log(
    `prepared ${UNREFERENCED_BLOBS} unreferenced and ${survivors.length} referenced blobs ` +
      `in ${preparedIn.toFixed(1)} s`,
  );

  server = await startQuietServer(dataDir);
  const probed = survivors[0] as Survivor;
  const prober = startProber(server.url, probed);
  await Bun.sleep(WARM_UP_MS + BASELINE_MS);
  const gc = await runCollection(server.url).finally(() => prober.stop());

  const baselineFrom = gc.startedAt - BASELINE_MS;
  const before = prober.samples.filter((s) => s.at >= baselineFrom && s.at < gc.startedAt);
  const during = prober.samples.filter((s) => s.at >= gc.startedAt && s.at < gc.endedAt);
  const phaseOf = (sample: Sample) =>
    gc.phases.findLast((mark) => mark.at <= sample.at)?.phase ?? "?";
  const phases = gc.phases.map((mark, i) => {
    const end = gc.phases[i + 1]?.at ?? gc.endedAt;
    const stats = latencies(during.filter((sample) => phaseOf(sample) === mark.phase));
    return { phase: mark.phase, seconds: (end - mark.at) / 1000, ...stats };
  });

  const check = await verifySurvivors(server.url, dataDir, survivors);
  const report = gc.report;
  const wallSeconds = (gc.endedAt - gc.startedAt) / 1000;
  const serverSeconds = (Date.parse(report.finishedAt ?? "") - Date.parse(report.startedAt)) / 1000;
  const idle = latencies(before);
  const busy = latencies(during);

  const rows: Array<[string, string]> = [
    ["unreferenced blobs seeded", String(UNREFERENCED_BLOBS)],
    ["referenced blobs seeded", String(survivors.length)],
    ["blobs deleted", String(report.blobsDeleted)],
    ["bytes freed", String(report.bytesFreed)],
    ["links / repositories deleted", `${report.linksDeleted} / ${report.repositoriesDeleted}`],
    ["GC wall time", `${wallSeconds.toFixed(2)} s (server: ${serverSeconds.toFixed(2)} s)`],
    ["prober requests during GC", `${busy.count} (${busy.failed} failed)`],
    ["p50 before / during", `${formatMs(idle.p50)} / ${formatMs(busy.p50)}`],
    ["p99 before / during", `${formatMs(idle.p99)} / ${formatMs(busy.p99)}`],
    ["max before / during", `${formatMs(idle.max)} / ${formatMs(busy.max)}`],
    [
      "survivors after GC",
      check.problems.length === 0
        ? `all ${survivors.length} readable; ${check.filesLeft} files left, all survivors`
        : check.problems.join("; "),
    ],
  ];
  for (const [label, value] of rows) console.log(`${label.padEnd(30)} ${value}`);
  console.log("\nby phase (as GET /v1/gc/status saw it, polled every 50 ms):");
  for (const phase of phases) {
    console.log(
      `  ${phase.phase.padEnd(22)} ${phase.seconds.toFixed(2).padStart(7)} s  ` +
        `${String(phase.count).padStart(6)} requests  p50 ${formatMs(phase.p50)}  ` +
        `p99 ${formatMs(phase.p99)}  max ${formatMs(phase.max)}`,
    );
  }
  if (report.error) console.log(`collection error: ${report.error}`);
  if (server.log()) console.log(`\nserver warnings:\n${server.log().slice(0, 2000)}`);

  if (check.problems.length > 0 || report.error) {
    process.exitCode = 1;
  } else {
    const cpu = cpus()[0]?.model ?? "unknown CPU";
    const section = [
      "## GC pause",
      "",
      "`bun run bench:gc` (or `bun bench/gc-pause.ts` after `bun run build`;",
      "`BENCH_GC_BLOBS` sets the number of unreferenced blobs). A collection with reconcile",
      "deletes the unreferenced blobs while a prober sends `GET /v2/` and a blob `HEAD` back",
      "to back; latencies before the collection are the prober's over the 3 s before it.",
      "",
      `Measured ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpu}).`,
      "",
      "| measure | value |",
      "| --- | --- |",
      ...rows.map(([label, value]) => `| ${label} | ${value} |`),
      "",
      "| phase | seconds | requests | p50 | p99 | max |",
      "| --- | --- | --- | --- | --- | --- |",
      ...phases.map(
        (phase) =>
          `| ${phase.phase} | ${phase.seconds.toFixed(2)} | ${phase.count} | ` +
          `${formatMs(phase.p50)} | ${formatMs(phase.p99)} | ${formatMs(phase.max)} |`,
      ),
      "",
    ].join("\n");
    writeSection(section);
    console.log(`\nwrote the "GC pause" section of ${BENCHMARKS_FILE}`);
  }
} finally {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary } from "../../tests/e2e/mcr-process.ts";

/** A registry under test, on fresh storage in its own temporary folder. */
export interface BenchServer {
  /** "mcr" or "distribution". */
  kind: ServerKind;
  url: string;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

export type ServerKind = "mcr" | "distribution";

/** Starts `kind` on a free loopback port with empty storage. */
export function startServer(kind: ServerKind): Promise<BenchServer> {
  return kind === "mcr" ? startMcrServer() : startDistribution();
}

/**
 * The compiled `mcr serve` in its default durable mode (fsync before every 201), with the
 * open auth provider because Distribution runs without auth here too. Request log lines are
 * off (warn level) as Distribution's access log is, and the RPC listener is not started.
 */
async function startMcrServer(): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "mcr-bench-"));
  const port = await freePort();
  const child = spawnMcr(port, dataDir);
  const url = `http://127.0.0.1:${port}`;
  await waitForV2(url, 10_000);
  return {
    kind: "mcr",
    url,
    pid: child.pid,
    dataDir,
    stop: async () => {
      child.kill("SIGTERM");
      await child.exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `mcr serve` on `port`: open auth provider, no RPC listener, only warnings and errors logged.
 * `binary` names another build than dist/mcr, for comparing two.
 */
export function spawnMcr(port: number, dataDir: string, binary = requireBinary()) {
  return Bun.spawn(
    [binary, "serve", "--listen", `127.0.0.1:${port}`, "--rpc-listen", "", "--data-dir", dataDir],
    {
      cwd: dataDir,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        MCR_AUTH_PROVIDER: "none",
        MCR_LOG_LEVEL: "warn",
      },
      stdin: "ignore",
      stdout: "ignore",
      stderr: "inherit",
    },
  );
}

/** Debian's docker-registry (CNCF Distribution 2.8) with filesystem storage and no auth. */
async function startDistribution(): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "distribution-bench-"));
  const port = await freePort();
  const configPath = join(dataDir, "config.yml");
  writeFileSync(
    configPath,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(dataDir, "storage")}`,
      "  delete:",
      "    enabled: true",
      "  cache:",
      "    blobdescriptor: inmemory",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "",
    ].join("\n"),
  );
  const child = Bun.spawn(["docker-registry", "serve", configPath], {
    stdin: "ignore",
    stdout: "ignore",
    stderr: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForV2(url, 10_000);
  return {
    kind: "distribution",
    url,
    pid: child.pid,
    dataDir,
    stop: async () => {
      child.kill("SIGTERM");
      await child.exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls GET /v2/ until it answers 200; returns the milliseconds it took. */
export async function waitForV2(url: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    try {
      const response = await fetch(`${url}/v2/`);
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - started;
    } catch {
      // Not listening yet.
    }
    await Bun.sleep(2);
  }
  throw new Error(`${url}/v2/ did not answer 200 within ${timeoutMs} ms`);
}

/** A port nothing listens on right now (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

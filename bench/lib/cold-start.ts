import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, spawnMcr, waitForV2 } from "./servers.ts";

/** Milliseconds from spawning `mcr serve` on an empty data folder to its first 200 on /v2/. */
export async function mcrColdStartMs(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), "mcr-cold-"));
  const port = await freePort();
  const started = performance.now();
  const child = spawnMcr(port, dataDir);
  try {
    await waitForV2(`http://127.0.0.1:${port}`, 10_000);
    return performance.now() - started;
  } finally {
    child.kill("SIGTERM");
    await child.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

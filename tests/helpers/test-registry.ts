import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../../src/config/config.ts";
import { loadConfig } from "../../src/config/load.ts";
import { type Logger, silentLogger } from "../../src/log/logger.ts";
import { type RunningRegistry, startRegistry } from "../../src/server/registry-server.ts";

/** A registry running in this process on a free loopback port, with its own data folder. */
export interface TestRegistry {
  url: string;
  dataDir: string;
  config: Config;
  running: RunningRegistry;
  /** Stops the server; the data folder is kept so a restart can reuse it. */
  stop(): Promise<void>;
  /** Stops the server and deletes the data folder. */
  destroy(): Promise<void>;
}

/** Makes an empty temporary folder that {@link removeFolder} deletes. */
export function makeTempFolder(prefix = "mcr-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeFolder(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/**
 * Starts a registry as `mcr serve` would, with `env` as MCR_* overrides, in `dataDir` (a new
 * temporary folder unless given). It is an open registry (auth provider "none") unless `env`
 * names another provider: the /v2 tests check the API, the auth tests check access. `log`
 * receives the server's log lines (nothing is kept by default).
 */
export async function startTestRegistry(
  options: { dataDir?: string; env?: Record<string, string>; log?: Logger } = {},
): Promise<TestRegistry> {
  const dataDir = options.dataDir ?? makeTempFolder();
  const config = loadConfig({
    env: { MCR_AUTH_PROVIDER: "none", ...options.env },
    flags: {
      "storage.data_dir": dataDir,
      "server.listen": "127.0.0.1:0",
      "server.rpc_listen": "127.0.0.1:0",
    },
  });
  const running = await startRegistry(config, options.log ?? silentLogger);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await running.stop();
  };
  return {
    url: running.http.url,
    dataDir,
    config,
    running,
    stop,
    destroy: async () => {
      await stop();
      removeFolder(dataDir);
    },
  };
}

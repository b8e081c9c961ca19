import { defineCommand } from "citty";
import { ConfigError, loadConfig } from "../config/load.ts";
import { createLogger } from "../log/logger.ts";
import { startRegistry } from "../server/registry-server.ts";

/** `mcr serve`: the registry. */
export const serveCommand = defineCommand({
  meta: { name: "serve", description: "Run the registry (OCI distribution API on /v2)" },
  args: {
    config: { type: "string", description: "TOML configuration file" },
    "data-dir": { type: "string", description: "Data folder (default ./data)" },
    listen: { type: "string", description: "HOST:PORT to listen on (default 127.0.0.1:5000)" },
  },
  run: async ({ args }) => {
    // The data folder holds password and token hashes, the audit trail and every image:
    // nothing MCR creates is readable by other local users.
    process.umask(0o077);
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig({
        file: args.config,
        env: process.env,
        flags: { "storage.data_dir": args["data-dir"], "server.listen": args.listen },
      });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      process.stderr.write(`mcr serve: ${error.message}\n`);
      process.exit(2);
    }

    const log = createLogger(config.log);
    const running = await startRegistry(config, log).catch((error: Error) => {
      log.error("registry failed to start", { error: error.message });
      process.exit(1);
    });

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info("shutting down", { signal, timeout_s: config.server.shutdownTimeout });
      await running.stop();
      log.info("stopped");
      process.exit(0);
    };
    process.on("SIGINT", () => void stop("SIGINT"));
    process.on("SIGTERM", () => void stop("SIGTERM"));
  },
});

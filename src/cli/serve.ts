import { defineCommand } from "citty";
import { createLogger } from "../log/logger.ts";
import { startRegistry } from "../server/registry-server.ts";
import { prepareCommand } from "./command-config.ts";

/** `mcr serve`: the registry. */
export const serveCommand = defineCommand({
  meta: { name: "serve", description: "Run the registry (OCI distribution API on /v2)" },
  args: {
    config: { type: "string", description: "TOML configuration file" },
    "data-dir": { type: "string", description: "Data folder (default ./data)" },
    listen: { type: "string", description: "HOST:PORT to listen on (default 127.0.0.1:5000)" },
    "rpc-listen": {
      type: "string",
      description: "HOST:PORT of the admin RPC listener (default 127.0.0.1:9443)",
    },
  },
  run: async ({ args }) => {
    const config = prepareCommand("serve", {
      file: args.config,
      flags: {
        "storage.data_dir": args["data-dir"],
        "server.listen": args.listen,
        "server.rpc_listen": args["rpc-listen"],
      },
    });

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

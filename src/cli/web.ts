import { accessSync, constants, statSync } from "node:fs";
import { defineCommand } from "citty";
import { parseListenAddress } from "../config/listen-address.ts";
import { createLogger } from "../log/logger.ts";
import { startWebServer } from "../web/web-server.ts";

/** `mcr web`: the admin web UI, a client of the registry's admin RPC API. */
export const webCommand = defineCommand({
  meta: { name: "web", description: "Run the admin web UI (a client of the admin RPC API)" },
  args: {
    listen: { type: "string", description: "HOST:PORT to listen on (default 127.0.0.1:8080)" },
    api: {
      type: "string",
      description: "Base URL of the registry's admin RPC API (default http://127.0.0.1:9443)",
    },
    "api-ca": { type: "string", description: "CA certificate (PEM) of the API's TLS certificate" },
    "tls-cert": { type: "string", description: "TLS certificate (PEM) to serve the UI with" },
    "tls-key": { type: "string", description: "TLS private key (PEM) of that certificate" },
    "registry-host": {
      type: "string",
      description: "HOST:PORT that pull commands name (default the API's host, port 5000)",
    },
  },
  run: ({ args }) => {
    const log = createLogger({ level: "info", format: "text" });
    const listen = parseListenAddress(args.listen ?? "127.0.0.1:8080");
    const problems: string[] = [];
    if (!listen) problems.push(`--listen ${args.listen} is not HOST:PORT`);
    const apiUrl = args.api ?? "http://127.0.0.1:9443";
    if (!/^https?:\/\/[^/]+/.test(apiUrl)) problems.push(`--api ${apiUrl} is not an http(s) URL`);
    if (Boolean(args["tls-cert"]) !== Boolean(args["tls-key"])) {
      problems.push("--tls-cert and --tls-key go together");
    }
    for (const flag of ["api-ca", "tls-cert", "tls-key"] as const) {
      const path = args[flag];
      if (path && !isReadableFile(path)) problems.push(`--${flag} ${path} is not a readable file`);
    }
    if (!listen || problems.length > 0) {
      process.stderr.write(`mcr web: ${problems.join("; ")}\n`);
      process.exit(2);
    }

    const server = startWebServer(
      {
        listen,
        apiUrl,
        apiCaCert: args["api-ca"] ?? null,
        tls:
          args["tls-cert"] && args["tls-key"]
            ? { cert: args["tls-cert"], key: args["tls-key"] }
            : null,
        registryHost: args["registry-host"] ?? null,
      },
      log,
    );

    const stop = async (signal: string) => {
      log.info("shutting down", { signal });
      await server.stop();
      process.exit(0);
    };
    process.on("SIGINT", () => void stop("SIGINT"));
    process.on("SIGTERM", () => void stop("SIGTERM"));
  },
});

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

import { defineCommand } from "citty";
import { formatListenAddress } from "../config/listen-address.ts";
import { prepareCommand } from "./command-config.ts";

/** How long each probe waits: a registry slower than this is not healthy for a supervisor. */
const TIMEOUT_MS = 5_000;

/**
 * `mcr health`: asks a running `mcr serve` for GET /v1/health and exits 0 when it answers
 * "ok", 1 otherwise. It is the container image's HEALTHCHECK (the image has no curl): by
 * default it reads the server's configuration (file, MCR_* environment) and calls its
 * listener on loopback, over https and then http, since the image's environment names the
 * port but only the mounted file says whether TLS is on.
 */
export const healthCommand = defineCommand({
  meta: { name: "health", description: "Exit 0 when the local registry answers /v1/health" },
  args: {
    config: { type: "string", description: "TOML configuration file of the server" },
    url: { type: "string", description: "Base URL to probe instead (default from the config)" },
  },
  run: async ({ args }) => {
    const bases = args.url ? [args.url] : localUrls(args.config);
    const failures: string[] = [];
    for (const base of bases) {
      const failure = await probe(`${base.replace(/\/+$/, "")}/v1/health`);
      if (failure === null) {
        process.stdout.write("ok\n");
        process.exit(0);
      }
      failures.push(failure);
    }
    process.stderr.write(`mcr health: ${failures.join("; ")}\n`);
    process.exit(1);
  },
});

/** Null when the URL answers 200 `{"status":"ok"}`, else what went wrong. */
async function probe(url: string): Promise<string | null> {
  try {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
      // The certificate names the public host, not the loopback address dialled here; the
      // probe sends nothing secret and learns nothing that needs trusting.
      tls: { rejectUnauthorized: false },
    });
    const body = (await response.json().catch(() => null)) as { status?: string } | null;
    return response.status === 200 && body?.status === "ok"
      ? null
      : `${url} answered ${response.status}`;
  } catch (error) {
    return `${url}: ${(error as Error).message}`;
  }
}

/** The server's own listener as seen from the same host: a wildcard host becomes loopback. */
function localUrls(file: string | undefined): string[] {
  const config = prepareCommand("health", { file, flags: {} });
  const { host, port } = config.server.listen;
  const wildcard = host === "0.0.0.0" || host === "::";
  const address = formatListenAddress({ host: wildcard ? "127.0.0.1" : host, port });
  return config.server.tlsCert
    ? [`https://${address}`]
    : [`https://${address}`, `http://${address}`];
}

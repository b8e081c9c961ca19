import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { basic } from "../helpers/auth.ts";
import { type CommandResult, runCommand } from "../helpers/run-command.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";
import { MCR_BINARY, type McrProcess, runMcr, startMcr } from "./mcr-process.ts";

/** The two ways `mcr ctl` reaches a server; every command is tested over both. */
export const TRANSPORTS = ["rest", "grpc"] as const;
export type Transport = (typeof TRANSPORTS)[number];

export const ADMIN_PASSWORD = "correct horse battery staple";

/** A compiled `mcr serve` with local accounts, its first admin, and an admin session. */
export interface CtlServer {
  cwd: string;
  mcr: McrProcess;
  /** The base URL of each transport: the registry listener, the RPC listener. */
  urls: Record<Transport, string>;
  /** A session token of `admin`, for commands that are not about logging in. */
  adminToken: string;
  /** `Authorization` for /v2 requests as admin. */
  adminBasic: string;
  /** A fresh, empty config folder (for $XDG_CONFIG_HOME), so saved logins do not leak. */
  configFolder(): string;
  stop(): Promise<void>;
}

/** Runs `mcr init` with a known password, then `mcr serve` on free loopback ports. */
export async function startCtlServer(): Promise<CtlServer> {
  const cwd = makeTempFolder("mcr-e2e-ctl-");
  const init = await runMcr(["init"], { cwd, env: { MCR_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  if (init.code !== 0) throw new Error(`mcr init failed: ${init.stderr}`);
  const mcr = await startMcr(["--listen", "127.0.0.1:0"], { cwd });
  const rpcAddress = /admin RPC listening.*?address"?[=:]"?([^\s"]+)/.exec(mcr.log())?.[1];
  if (!rpcAddress) throw new Error(`no RPC listener in the log:\n${mcr.log()}`);

  const login = await fetch(`${mcr.url}/v1/auth/login`, {
    method: "POST",
    body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
  });
  const { token } = (await login.json()) as { token: string };
  let configs = 0;
  return {
    cwd,
    mcr,
    urls: { rest: mcr.url, grpc: `http://${rpcAddress}` },
    adminToken: token,
    adminBasic: basic("admin", ADMIN_PASSWORD),
    configFolder() {
      const folder = join(cwd, `config-${++configs}`);
      mkdirSync(folder);
      return folder;
    },
    async stop() {
      await mcr.stop();
      removeFolder(cwd);
    },
  };
}

/** How one `mcr ctl` run is made. */
export interface CtlOptions {
  /** Sent as --token; `null` sends none (then $MCR_TOKEN or the saved login decides). */
  token?: string | null;
  /** Written to standard input, which is otherwise empty (not a terminal). */
  stdin?: string;
  env?: Record<string, string>;
  /** Leave out --server, to test where the server comes from. */
  noServer?: boolean;
}

/** `mcr ctl [--grpc] --server <url> --token <admin> ARGS`, as an operator's script runs it. */
export async function ctl(
  server: CtlServer,
  transport: Transport,
  args: string[],
  options: CtlOptions = {},
): Promise<CommandResult> {
  const token = options.token === undefined ? server.adminToken : options.token;
  const argv = [
    "ctl",
    ...(transport === "grpc" ? ["--grpc"] : []),
    ...(options.noServer ? [] : ["--server", server.urls[transport]]),
    ...(token ? ["--token", token] : []),
    ...args,
  ];
  return runCtlBinary(argv, {
    cwd: server.cwd,
    stdin: options.stdin,
    env: { XDG_CONFIG_HOME: join(server.cwd, "no-config"), ...options.env },
  });
}

/** Runs the binary with `argv`, a clean environment plus `env`, and `stdin` piped in. */
export async function runCtlBinary(
  argv: string[],
  options: { cwd: string; stdin?: string; env?: Record<string, string> },
): Promise<CommandResult> {
  return runCommand([MCR_BINARY, ...argv], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env },
    stdin: options.stdin ?? "",
  });
}

/** The JSON document a successful `--json` run printed; fails the test with its stderr. */
export function jsonOf<T = Record<string, unknown>>(result: CommandResult): T {
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/**
 * A loopback URL where nothing listens: a port this process took and let go, so a test of
 * "server down" aims at no one else's socket.
 */
export function closedServerUrl(): string {
  const listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: { data() {} },
  });
  const port = listener.port;
  listener.stop(true);
  return `http://127.0.0.1:${port}`;
}

/** Writes a file in the server's folder and returns its path. */
export function writeFile(server: CtlServer, name: string, text: string): string {
  const path = join(server.cwd, name);
  writeFileSync(path, text);
  return path;
}

/**
 * Runs `mcr ctl ARGS` on a pseudo-terminal (util-linux `script`), as a person at a shell:
 * each time the output shows the next prompt of `answers`, types its reply. Returns all the
 * terminal showed, the replies' own echo included where the terminal echoed them.
 */
export async function ctlInTerminal(
  server: CtlServer,
  transport: Transport,
  args: string[],
  answers: Array<[prompt: string, reply: string]>,
  env: Record<string, string> = {},
): Promise<{ screen: string; code: number }> {
  const argv = [
    MCR_BINARY,
    "ctl",
    ...(transport === "grpc" ? ["--grpc"] : []),
    "--server",
    server.urls[transport],
    "--token",
    server.adminToken,
    ...args,
  ];
  const command = argv.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(" ");
  const child = Bun.spawn(["script", "-qec", command, "/dev/null"], {
    cwd: server.cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      TERM: "dumb",
      XDG_CONFIG_HOME: join(server.cwd, "no-config"),
      ...env,
    },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  let screen = "";
  const pending = [...answers];
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    screen += decoder.decode(chunk, { stream: true });
    const next = pending[0];
    if (next && screen.includes(next[0])) {
      pending.shift();
      child.stdin.write(`${next[1]}\r`);
      child.stdin.flush();
    }
  }
  child.stdin.end();
  return { screen, code: await child.exited };
}

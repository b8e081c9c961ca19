import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Subprocess } from "bun";
import { runCommand } from "../helpers/run-command.ts";

/**
 * The compiled binary that `bun run build` makes; the e2e tests run nothing else. MCR_BINARY
 * may name another build of the same source, so that two people can build side by side.
 */
export const MCR_BINARY = process.env.MCR_BINARY || resolve(import.meta.dir, "../../dist/mcr");

/** A `dist/mcr serve` child process and what it printed. */
export interface McrProcess {
  process: Subprocess<"ignore", "pipe", "pipe">;
  /** Base URL, read from the "registry listening" log line. */
  url: string;
  /** Everything written to standard error so far (the log). */
  log(): string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** Checks that the binary exists, with a message that says how to make it. */
export function requireBinary(): string {
  if (!existsSync(MCR_BINARY)) throw new Error(`${MCR_BINARY} is missing: run "bun run build"`);
  return MCR_BINARY;
}

/** Where and how a test runs the binary; `binary` names a copy of it elsewhere. */
export interface McrRunOptions {
  cwd: string;
  env?: Record<string, string>;
  binary?: string;
}

/**
 * Starts `dist/mcr serve ARGS` in `cwd` and waits until it logs that it is listening.
 * Pass `--listen 127.0.0.1:0` for a free port.
 */
export async function startMcr(args: string[], options: McrRunOptions): Promise<McrProcess> {
  // A free port for the admin RPC listener too, unless the caller tests the defaults.
  const rpc = args.includes("--listen") && !args.includes("--rpc-listen");
  const fullArgs = rpc ? [...args, "--rpc-listen", "127.0.0.1:0"] : args;
  const child = Bun.spawn([options.binary ?? requireBinary(), "serve", ...fullArgs], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let output = "";
  const decoder = new TextDecoder();
  const drained = (async () => {
    for await (const chunk of child.stderr) output += decoder.decode(chunk, { stream: true });
  })();
  void (async () => {
    for await (const _ of child.stdout) {
      // Standard output is not used by serve; drain it so the child never blocks on it.
    }
  })();

  const deadline = Date.now() + 10_000;
  let url: string | undefined;
  while (!url) {
    // The listening line, in either log format: `url=http://…` or `"url":"http://…"`. It is
    // an info line: a caller that raises the log level must not pass a free port (:0).
    url = /registry listening.*?\burl"?[=:]"?([^\s"]+)/.exec(output)?.[1];
    if (url) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      // Its standard error ends only when it exits, so a child that is still up must go.
      child.kill("SIGKILL");
      await drained.catch(() => {});
      throw new Error(`mcr serve did not start (exit ${child.exitCode}):\n${output}`);
    }
    await Bun.sleep(20);
  }

  return {
    process: child,
    url,
    log: () => output,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      const code = await child.exited;
      await drained.catch(() => {});
      return code;
    },
  };
}

/** Runs `dist/mcr ARGS` to completion. */
export function runMcr(args: string[], options: McrRunOptions) {
  return runCommand([options.binary ?? requireBinary(), ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env },
  });
}

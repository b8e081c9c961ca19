import type { Subprocess } from "bun";
import { requireBinary } from "./mcr-process.ts";

/** A `dist/mcr web` child process. */
export interface McrWebProcess {
  process: Subprocess<"ignore", "ignore", "pipe">;
  /** Base URL, read from the "web UI listening" log line. */
  url: string;
  log(): string;
  stop(): Promise<number>;
}

/**
 * Starts `dist/mcr web ARGS` (or `binary`, a copy of it elsewhere) and waits until it logs
 * the URL it listens at.
 */
export async function startMcrWeb(args: string[], binary?: string): Promise<McrWebProcess> {
  const child = Bun.spawn([binary ?? requireBinary(), "web", ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  let output = "";
  const decoder = new TextDecoder();
  const drained = (async () => {
    for await (const chunk of child.stderr) output += decoder.decode(chunk, { stream: true });
  })();

  const deadline = Date.now() + 10_000;
  let url: string | undefined;
  while (!url) {
    url = /web UI listening.*?\burl"?[=:]"?([^\s"]+)/.exec(output)?.[1];
    if (url) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(`mcr web did not start (exit ${child.exitCode}):\n${output}`);
    }
    await Bun.sleep(20);
  }
  return {
    process: child,
    url,
    log: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      const code = await child.exited;
      await drained.catch(() => {});
      return code;
    },
  };
}

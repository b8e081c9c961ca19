import { resolve } from "node:path";
import { runCommand } from "./run-command.ts";

/** How a command run on a pseudo-terminal ended. */
export interface TerminalRun {
  /** Everything the terminal showed, escape sequences included. */
  screen: string;
  /** The exit code; negative when a signal ended it. */
  code: number;
  /** The command did not end on its own before the timeout and was killed. */
  killed: boolean;
  /** Whether the terminal echoed typed characters once the command had ended. */
  echo: boolean;
}

const RUNNER = resolve(import.meta.dir, "pty-run.py");

/**
 * Runs `command` on a pseudo-terminal (python3's pty module), as a person at a shell: each
 * time the screen shows the next prompt of `steps`, types its keys (raw bytes: "\u0003" is
 * Ctrl-C, "\u0004" Ctrl-D). A command still running after `timeoutSeconds` is killed.
 */
export async function runInTerminal(
  command: string[],
  steps: Array<[prompt: string, keys: string]>,
  options: { cwd: string; env?: Record<string, string>; timeoutSeconds?: number },
): Promise<TerminalRun> {
  const { stdout, stderr, code } = await runCommand(["python3", RUNNER, ...command], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      TERM: "dumb",
      ...options.env,
      PTY_STEPS: JSON.stringify(steps),
      PTY_TIMEOUT: String(options.timeoutSeconds ?? 4),
    },
  });
  if (code !== 0) throw new Error(`pty-run.py failed (exit ${code}): ${stderr}`);
  return JSON.parse(stdout) as TerminalRun;
}

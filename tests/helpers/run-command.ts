/** What a finished command printed, and how it ended. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Both streams together, for matching a client's message wherever it printed it. */
  output: string;
  code: number;
}

/**
 * Runs a command to completion without blocking the event loop (a registry under test may
 * be running in this very process and must keep answering).
 */
export async function runCommand(
  command: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; stdin?: string } = {},
): Promise<CommandResult> {
  const child = Bun.spawn(command, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { stdout, stderr, output: `${stdout}${stderr}`, code };
}

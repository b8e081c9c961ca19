import { renderUsage, runCommand } from "citty";
import { escapeControlCharacters } from "../../log/control-characters.ts";
import { arrangeArguments, wantsHelp } from "./argv.ts";
import { ctlCommand } from "./ctl-command.ts";
import { type AnyCommand, argsOf, resolveCommand, subCommandsOf } from "./dispatch.ts";
import { CtlError, UsageError } from "./errors.ts";

const ROOT_PATH = ["mcr", "ctl"];

/**
 * `mcr ctl ARGS`: runs one command and exits with its code. 0 on success; 1 when the command
 * failed, with one line on standard error; 2 when the command line is wrong, with one line
 * and where the command's help is. Exits explicitly: an HTTP/2 session left open must not keep the
 * process alive.
 */
export async function runCtl(tokens: string[]): Promise<never> {
  endQuietlyWhenReaderLeaves(process.stdout);
  endQuietlyWhenReaderLeaves(process.stderr);
  process.exit(await execute(tokens));
}

/**
 * A reader that stopped reading (`mcr ctl audit tail --follow | head -1`) ends the command
 * at its next write, quietly and with success, as it would with the default SIGPIPE action:
 * the output went where it was asked to, and there is nobody left to tell anything to.
 */
function endQuietlyWhenReaderLeaves(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    process.exit(error.code === "EPIPE" ? 0 : 1);
  });
}

async function execute(tokens: string[]): Promise<number> {
  let usageOf: { command: AnyCommand; path: string[] } = { command: ctlCommand, path: ROOT_PATH };
  try {
    const resolved = await resolveCommand(ctlCommand, ROOT_PATH, tokens);
    usageOf = resolved;
    if (wantsHelp(tokens)) {
      process.stdout.write(`${await usage(resolved.command, resolved.path, process.stdout)}\n`);
      return 0;
    }
    if (!resolved.command.run) {
      const names = Object.keys((await subCommandsOf(resolved.command)) ?? {});
      throw new UsageError(`missing command: one of ${names.join(", ")}`);
    }
    const arranged = arrangeArguments(await argsOf(resolved.command), resolved.tokens);
    await runCommand(resolved.command, { rawArgs: arranged });
    return 0;
  } catch (error) {
    return report(error, usageOf);
  }
}

function report(error: unknown, usageOf: { path: string[] }): number {
  if (error instanceof CtlError) {
    // The message may quote the server, whose words are not ours to send to a terminal.
    process.stderr.write(`mcr ctl: ${escapeControlCharacters(error.message)}\n`);
    return 1;
  }
  // citty's own usage errors (CLIError) are not exported; they carry a code.
  const cittyUsage = error instanceof Error && error.name === "CLIError";
  if (error instanceof UsageError || cittyUsage) {
    const path = (error instanceof UsageError && error.commandPath) || usageOf.path;
    const help = [...path, "--help"].join(" ");
    const message = escapeControlCharacters(plain((error as Error).message));
    process.stderr.write(`mcr ctl: ${message}\nsee \`${help}\`\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`mcr ctl: unexpected failure: ${escapeControlCharacters(message)}\n`);
  if (process.env.MCR_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 1;
}

/** The usage text of a command, named by its full path, without colours off a terminal. */
async function usage(
  command: AnyCommand,
  path: string[],
  stream: { isTTY?: boolean },
): Promise<string> {
  const parent = { meta: { name: path.slice(0, -1).join(" ") } };
  const text = await renderUsage(command, parent);
  return stream.isTTY ? text : plain(text);
}

const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

function plain(text: string): string {
  return text.replace(ANSI_ESCAPE, "");
}

/**
 * `ctl` as `mcr`'s citty tree sees it: listed in `mcr --help`, and handing its command line
 * to runCtl. main.ts calls runCtl before citty for `mcr ctl …`, since citty would answer
 * `--help` and usage errors with its own text and exit codes.
 */
export const ctlEntryCommand = {
  meta: { name: "ctl", description: "Run the registry from a shell: `mcr ctl --help`" },
  run: ({ rawArgs }: { rawArgs: string[] }) => runCtl(rawArgs),
};

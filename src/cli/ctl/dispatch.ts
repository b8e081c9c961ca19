import type { ArgsDef, CommandDef } from "citty";
import { findFlag, isFlag, splitFlag } from "./argv.ts";
import { UsageError } from "./errors.ts";
import { GLOBAL_ARGS } from "./global-args.ts";

// citty's own type for a command of any flags.
// biome-ignore lint/suspicious/noExplicitAny: citty types commands by their flags
export type AnyCommand = CommandDef<any>;

/** The command a command line names, the words that named it, and what it is given. */
export interface ResolvedCommand {
  command: AnyCommand;
  /** ["mcr", "ctl", "repo", "list"]: for usage lines. */
  path: string[];
  /** Every token but the command words: flags and arguments, in order. */
  tokens: string[];
}

/**
 * Finds the command `tokens` name below `root`, skipping flags (and the values of global
 * flags, which may come before the command words: `mcr ctl --grpc repo list`).
 *
 * citty would run a command with subcommands *and* then its parent's `run` (`gc status`
 * would start a collection), and exits 1 on usage errors; this walks the tree instead, and
 * the runner calls citty for the one command found.
 */
export async function resolveCommand(
  root: AnyCommand,
  rootPath: string[],
  tokens: string[],
): Promise<ResolvedCommand> {
  let command = root;
  const path = [...rootPath];
  const rest: string[] = [];
  let argumentSeen = false;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] ?? "";
    if (token === "--") {
      rest.push(...tokens.slice(index));
      break;
    }
    if (isFlag(token)) {
      rest.push(token);
      const [name = "", inline] = splitFlag(token);
      const def = findFlag({ ...GLOBAL_ARGS, ...(await argsOf(command)) }, name);
      if (def && def.type !== "boolean" && inline === undefined && index + 1 < tokens.length) {
        rest.push(tokens[++index] ?? "");
      }
      continue;
    }
    const subCommands = await subCommandsOf(command);
    if (subCommands && !argumentSeen) {
      const sub = subCommands[token];
      if (sub) {
        command = sub;
        path.push(token);
        continue;
      }
      if (!command.run || !hasPositional(await argsOf(command))) {
        const names = Object.keys(subCommands).join(", ");
        throw new UsageError(
          `${JSON.stringify(token)} is not a command of ${path.join(" ")} (one of ${names})`,
          path,
        );
      }
    }
    argumentSeen = true;
    rest.push(token);
  }
  return { command, path, tokens: rest };
}

/** A command's flags and arguments. */
export async function argsOf(command: AnyCommand): Promise<ArgsDef> {
  return (await resolve(command.args)) ?? {};
}

/** A command's subcommands, or null for a command that has none. */
export async function subCommandsOf(
  command: AnyCommand,
): Promise<Record<string, AnyCommand> | null> {
  const subCommands = await resolve(command.subCommands);
  if (!subCommands || Object.keys(subCommands).length === 0) return null;
  const entries = await Promise.all(
    Object.entries(subCommands).map(async ([name, sub]) => [name, await resolve(sub)] as const),
  );
  return Object.fromEntries(entries);
}

function hasPositional(args: ArgsDef): boolean {
  return Object.values(args).some((def) => def.type === "positional");
}

async function resolve<T>(value: T | Promise<T> | (() => T | Promise<T>)): Promise<T> {
  return typeof value === "function" ? (value as () => T | Promise<T>)() : value;
}

import type { ArgDef, ArgsDef } from "citty";
import { UsageError } from "./errors.ts";

/**
 * Checks a command line against a command's flags and arguments, and returns it with the
 * flags first and the arguments after a `--`, for citty to parse. citty accepts any flag,
 * takes the next flag as a missing value (`--server --json`), ignores extra arguments and
 * reads a negative rule id (`-1`) as a flag; an operator's typo must instead stop the
 * command with a usage error that names it.
 */
export function arrangeArguments(args: ArgsDef, tokens: string[]): string[] {
  const positionals = Object.entries(args).filter(([, def]) => def.type === "positional");
  const flags: string[] = [];
  const given: string[] = [];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] ?? "";
    if (token === "--") {
      given.push(...tokens.slice(index + 1));
      break;
    }
    if (!isFlag(token)) {
      given.push(token);
      continue;
    }
    const [name = "", inline] = splitFlag(token);
    const def = findFlag(args, name);
    if (!def) throw new UsageError(`unknown option ${token.split("=")[0]}`);
    flags.push(token);
    if (def.type === "boolean" || inline !== undefined) continue;
    const next = tokens[index + 1];
    if (next === undefined || next.startsWith("--")) {
      throw new UsageError(`${token} needs a value`);
    }
    flags.push(next);
    index++;
  }

  const required = positionals.filter(([, def]) => def.required !== false);
  const missing = required[given.length];
  if (missing) throw new UsageError(`missing argument <${missing[0]}>`);
  const extra = given[positionals.length];
  if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
  return [...flags, "--", ...given];
}

/**
 * Every value of a flag that may be repeated or hold a comma-separated list, in order:
 * `--role a --role b,c` gives ["a", "b", "c"]. Undefined when the flag is absent.
 */
export function listFlag(tokens: string[], name: string): string[] | undefined {
  const values: string[] = [];
  let seen = false;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] ?? "";
    if (token === "--") break;
    let value: string | undefined;
    if (token === `--${name}`) value = tokens[++index];
    else if (token.startsWith(`--${name}=`)) value = token.slice(name.length + 3);
    else continue;
    seen = true;
    values.push(...(value ?? "").split(","));
  }
  return seen ? values.map((value) => value.trim()).filter(Boolean) : undefined;
}

/** Whether the command line asks for help rather than for the command. */
export function wantsHelp(tokens: string[]): boolean {
  const end = tokens.indexOf("--");
  return (end === -1 ? tokens : tokens.slice(0, end)).some((token) =>
    ["--help", "-h"].includes(token),
  );
}

/** A flag, as opposed to an argument: negative numbers and "-" alone are arguments. */
export function isFlag(token: string): boolean {
  return token.startsWith("-") && token !== "-" && !/^-\d/.test(token);
}

/** The flag's name and its `=value`, if written that way. */
export function splitFlag(token: string): [string, string | undefined] {
  const body = token.replace(/^--?/, "");
  const equals = body.indexOf("=");
  return equals === -1 ? [body, undefined] : [body.slice(0, equals), body.slice(equals + 1)];
}

/** The definition of a flag by any name citty accepts for it: kebab, camel, alias, no-. */
export function findFlag(args: ArgsDef, name: string): ArgDef | undefined {
  const wanted = kebab(name);
  for (const [key, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    const aliases = "alias" in def ? [def.alias ?? []].flat() : [];
    const names = [key, ...aliases].map(kebab);
    if (names.includes(wanted)) return def;
    if (def.type === "boolean" && names.some((each) => wanted === `no-${each}`)) return def;
  }
  return undefined;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

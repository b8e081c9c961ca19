/** The argument definitions of a citty command, as far as flags are concerned. */
type ArgDefinitions = Record<string, { type?: string; alias?: string | string[] }>;

/**
 * The flags in `argv` that `args` does not define. citty passes unknown flags through
 * silently, so `mcr serve --data_dir /srv` would start on the default folder and make a new
 * database there; a typo must be an error instead.
 */
export function unknownFlags(args: ArgDefinitions, argv: readonly string[]): string[] {
  const known = new Set(["help", "h"]);
  for (const [name, definition] of Object.entries(args)) {
    if (definition.type === "positional") continue;
    known.add(name);
    for (const alias of [definition.alias ?? []].flat()) known.add(alias);
    if (definition.type === "boolean") known.add(`no-${name}`);
  }
  const unknown: string[] = [];
  for (const token of argv) {
    if (token === "--") break;
    const flag = /^--?([^=]+)/.exec(token)?.[1];
    if (flag !== undefined && !/^-\d/.test(token) && !known.has(flag)) unknown.push(token);
  }
  return unknown;
}

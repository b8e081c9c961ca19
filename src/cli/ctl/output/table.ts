import { escapeControlCharacters } from "../../../log/control-characters.ts";

/**
 * Rows as aligned columns under an upper-case header, two spaces apart, with no trailing
 * blanks: readable in a terminal and easy to cut with awk. Lines end without a newline.
 * Cells come from the server, so their control characters are shown escaped: a line break
 * would break the alignment and an escape sequence would reach the terminal.
 *
 * @example formatTable(["NAME", "TAGS"], [["team/app", "3"]])
 * // NAME      TAGS
 * // team/app  3
 */
export function formatTable(header: string[], rows: string[][], indent = ""): string {
  const lines = [header, ...rows.map((row) => row.map((cell) => escapeControlCharacters(cell)))];
  const widths = header.map((_, column) =>
    Math.max(...lines.map((line) => (line[column] ?? "").length)),
  );
  return lines
    .map((line) => {
      const cells = header.map((_, column) => (line[column] ?? "").padEnd(widths[column] ?? 0));
      return `${indent}${cells.join("  ")}`.trimEnd();
    })
    .join("\n");
}

/**
 * `key: value` lines with the values aligned, for one record shown whole; values have
 * their control characters escaped, as table cells do.
 *
 * @example formatFields([["id", "7"], ["effect", "allow"]])
 * // id:      7
 * // effect:  allow
 */
export function formatFields(fields: Array<[string, string]>, indent = ""): string {
  const width = Math.max(...fields.map(([key]) => key.length)) + 1;
  return fields
    .map(([key, value]) => {
      const shown = escapeControlCharacters(value);
      return `${indent}${`${key}:`.padEnd(width)}  ${shown}`.trimEnd();
    })
    .join("\n");
}

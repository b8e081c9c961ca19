/**
 * Rows as aligned columns under an upper-case header, two spaces apart, with no trailing
 * blanks: readable in a terminal and easy to cut with awk. Lines end without a newline.
 *
 * @example formatTable(["NAME", "TAGS"], [["team/app", "3"]])
 * // NAME      TAGS
 * // team/app  3
 */
export function formatTable(header: string[], rows: string[][], indent = ""): string {
  const lines = [header, ...rows];
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
 * `key: value` lines with the values aligned, for one record shown whole.
 *
 * @example formatFields([["id", "7"], ["effect", "allow"]])
 * // id:      7
 * // effect:  allow
 */
export function formatFields(fields: Array<[string, string]>, indent = ""): string {
  const width = Math.max(...fields.map(([key]) => key.length)) + 1;
  return fields
    .map(([key, value]) => `${indent}${`${key}:`.padEnd(width)}  ${value}`.trimEnd())
    .join("\n");
}

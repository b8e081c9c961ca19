import { CONFIG_KEYS } from "./keys.ts";

/** A value written into a TOML file: what the configuration keys accept. */
export type TomlValue = string | number | boolean | string[];

/**
 * A complete, commented configuration file: every key of every section with what it means
 * and its default, commented out, except the keys in `values` (as `section.key`), which are
 * set. Built from CONFIG_KEYS so that a key added to the code appears in new files at once.
 */
export function renderAnnotatedConfig(values: Record<string, TomlValue>, header: string): string {
  const lines = header.split("\n").map((line) => (line === "" ? "#" : `# ${line}`));
  lines.push(
    "#",
    "# Every key is listed with its default; a commented-out key keeps that default.",
    "# Environment variables MCR_<SECTION>_<KEY> override this file, and flags override both.",
  );

  for (const [section, keys] of Object.entries(CONFIG_KEYS)) {
    lines.push("", `[${section}]`);
    for (const [key, spec] of Object.entries(keys)) {
      const dotted = `${section}.${key}`;
      const fallback = tomlValue(spec.default as TomlValue);
      const empty = spec.default === "" || (Array.isArray(spec.default) && !spec.default.length);
      lines.push(`# ${spec.describe} (default ${empty ? "none" : fallback})`);
      const value = values[dotted];
      lines.push(value === undefined ? `# ${key} = ${fallback}` : `${key} = ${tomlValue(value)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** TOML's basic strings take JSON's escapes, so JSON's encoding of a string is valid TOML. */
function tomlValue(value: TomlValue): string {
  if (Array.isArray(value)) return `[${value.map((item) => JSON.stringify(item)).join(", ")}]`;
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

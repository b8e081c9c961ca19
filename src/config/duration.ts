const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Reads a duration written as a number of seconds (`30`) or with a unit (`500ms`, `30s`,
 * `15m`, `24h`, `7d`). Returns seconds, or null when the text is not a duration.
 *
 * @example parseDuration("15m") // 900
 */
export function parseDuration(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== "string") return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!match) return null;
  const unit = match[2] ?? "s";
  return Number(match[1]) * (UNIT_SECONDS[unit] ?? 1);
}

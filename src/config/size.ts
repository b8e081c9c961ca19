const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/**
 * Reads a byte size written as a plain number (`4194304`) or with a unit (`4MiB`, `512kb`).
 * Returns bytes, or null when the text is not a size (or one too large to count exactly).
 */
export function parseByteSize(value: unknown): number | null {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value !== "string") return null;
  const match = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(value);
  if (!match) return null;
  const unit = (match[2] || "b").toLowerCase();
  const factor = UNIT_BYTES[unit];
  if (factor === undefined) return null;
  // Past 2^53 bytes a size is no longer counted exactly, and no setting needs one that large.
  const bytes = Number(match[1]) * factor;
  return Number.isSafeInteger(bytes) ? bytes : null;
}

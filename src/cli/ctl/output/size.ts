const UNITS = ["KiB", "MiB", "GiB", "TiB"];

/**
 * A byte count in binary units with one decimal, whole bytes below 1 KiB.
 *
 * @example formatSize(1536) // "1.5 KiB"
 */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = "B";
  for (const next of UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value.toFixed(1)} ${unit}`;
}

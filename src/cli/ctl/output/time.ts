const STEPS: Array<[unit: string, seconds: number]> = [
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
  ["second", 1],
];

/**
 * An instant as people read it, relative to now and then exactly, in UTC so that every
 * operator reads the same time.
 *
 * @example formatTime("2026-12-04T15:16:09Z", new Date("2026-12-04T15:19:30Z"))
 * // "3 minutes ago (2026-12-04 15:16 UTC)"
 */
export function formatTime(iso: string, now: Date): string {
  return `${relativeTime(iso, now)} (${absoluteTime(iso)})`;
}

/** `2026-12-04 15:16 UTC`. */
export function absoluteTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** "3 minutes ago", "in 12 hours", "just now": the largest whole unit, rounded down. */
export function relativeTime(iso: string, now: Date): string {
  const seconds = Math.round((Date.parse(iso) - now.getTime()) / 1000);
  const distance = Math.abs(seconds);
  if (distance < 5) return "just now";
  for (const [unit, size] of STEPS) {
    if (distance < size) continue;
    const count = Math.floor(distance / size);
    const amount = `${count} ${unit}${count === 1 ? "" : "s"}`;
    return seconds < 0 ? `${amount} ago` : `in ${amount}`;
  }
  return "just now";
}

/** `2026-12-04 15:16:09 UTC`: to the second, for events that happen close together. */
export function absoluteSeconds(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

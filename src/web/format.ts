import type { Timestamp } from "@bufbuild/protobuf/wkt";

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** A size in bytes for people: 1.5 MiB. */
export function formatBytes(bytes: bigint | number): string {
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** A timestamp as UTC, to the second: 2026-12-01 14:03:12 UTC; a dash when unset. */
export function formatTime(time: Timestamp | undefined): string {
  if (!time) return "—";
  const date = new Date(Number(time.seconds) * 1000 + Math.floor(time.nanos / 1e6));
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** The first hex digits of a digest, enough to tell manifests apart on a page. */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(":");
  return hex ? `${algorithm}:${hex.slice(0, 12)}` : digest;
}

/** A query string from fields, leaving out empty ones. */
export function queryString(fields: Record<string, string | number | bigint | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== "") query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `?${text}` : "";
}

/** A list typed into a form field: comma- or space-separated. */
export function listField(text: string | undefined): string[] {
  return (text ?? "")
    .split(/[,\s]+/)
    .map((item) => item.trim())
    .filter(Boolean);
}

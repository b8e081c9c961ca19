import { escapeControlCharacters } from "../../../log/control-characters.ts";
import type { AuditEventJson } from "../admin-shapes.ts";
import { shortDigest } from "../output/digest.ts";
import { formatTable } from "../output/table.ts";
import { absoluteSeconds, relativeTime } from "../output/time.ts";

/** Events as a table, in the order given. */
export function describeEvents(events: AuditEventJson[]): string {
  const now = new Date();
  return formatTable(
    ["TIME", "AGE", "EVENT", "ACTOR", "ADDRESS", "REPOSITORY", "DETAILS"],
    events.map((event) => [
      absoluteSeconds(event.time),
      relativeTime(event.time, now),
      event.event_type,
      event.actor ?? "-",
      event.client_address ?? "-",
      event.repository ?? "-",
      detailsOf(event),
    ]),
  );
}

/**
 * One event on one line, for --follow, where no table can be aligned ahead. A line break in
 * a field is shown escaped, so that one event stays one line.
 */
export function eventLine(event: AuditEventJson, now: Date): string {
  const line = [
    absoluteSeconds(event.time),
    `(${relativeTime(event.time, now)})`,
    event.event_type,
    event.actor ?? "-",
    event.client_address ?? "-",
    event.repository ?? "-",
    detailsOf(event),
  ];
  return escapeControlCharacters(line.join("  ").trimEnd());
}

/** The digest and the event's own fields as `key=value` words. */
function detailsOf(event: AuditEventJson): string {
  const words: string[] = [];
  if (event.digest) words.push(`digest=${shortDigest(event.digest)}`);
  for (const [key, value] of Object.entries(event.details ?? {})) {
    words.push(`${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  }
  return words.join(" ");
}

import type { JsonValue } from "@bufbuild/protobuf";
import type { AuditEvent } from "../../gen/mcr/v1/audit_pb.ts";
import { formatTime, shortDigest } from "../format.ts";
import { html } from "../html.ts";
import { repositoryLink } from "../links.ts";

/** Audit events as a table: when, what, who, where, and the event's own details. */
export function auditTable(events: AuditEvent[]) {
  if (events.length === 0) return html`<p class="muted">No events.</p>`;
  const rows = events.map(
    (event) => html`<tr>
  <td>${formatTime(event.time)}</td>
  <td><code>${event.eventType}</code></td>
  <td>${event.actor ?? "—"}</td>
  <td>${event.repository ? repositoryLink(event.repository) : "—"}</td>
  <td class="digest">${event.digest ? shortDigest(event.digest) : ""}</td>
  <td>${detailsText(event)}</td>
  <td>${event.clientAddress ?? ""}</td>
</tr>`,
  );
  return html`<table class="audit"><thead><tr><th>Time</th><th>Event</th><th>Actor</th>
<th>Repository</th><th>Digest</th><th>Details</th><th>Client</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** The event's details as `key=value` pairs. */
function detailsText(event: AuditEvent): string {
  const details = event.details?.fields ?? {};
  return Object.entries(details)
    .map(([key, value]) => `${key}=${JSON.stringify(plainValue(value.kind))}`)
    .join(" ");
}

function plainValue(kind: { case?: string; value?: unknown }): JsonValue {
  if (kind.case === "nullValue" || kind.case === undefined) return null;
  if (kind.case === "structValue" || kind.case === "listValue") return "…";
  return kind.value as JsonValue;
}

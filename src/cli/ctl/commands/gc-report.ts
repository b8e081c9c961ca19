import type { GcReportJson, GcStatusJson } from "../admin-shapes.ts";
import { formatSize } from "../output/size.ts";
import { formatFields } from "../output/table.ts";
import { formatTime } from "../output/time.ts";

/** "idle", or "running (phase: blobs)". */
export function describeGcState(status: GcStatusJson): string {
  return status.phase ? `${status.state} (phase: ${status.phase})` : status.state;
}

/** What a collection removed and freed, as aligned fields. */
export function describeGcReport(report: GcReportJson, now: Date): string {
  const fields: Array<[string, string]> = [
    ["started", formatTime(report.started_at, now)],
    ["finished", report.finished_at ? formatTime(report.finished_at, now) : "not yet"],
    ["reconcile", report.reconcile ? "yes" : "no"],
    ["grace period", `${report.grace_period_seconds} s`],
    ["manifests deleted", String(report.manifests_deleted)],
    ["links deleted", String(report.links_deleted)],
    ["repositories deleted", String(report.repositories_deleted)],
    ["blobs deleted", String(report.blobs_deleted)],
    ["freed", formatSize(report.bytes_freed)],
  ];
  if (report.reconcile) {
    fields.push(
      ["orphan files deleted", String(report.orphan_files_deleted)],
      ["rows without file", String(report.rows_without_file)],
    );
  }
  if (report.error) fields.push(["error", report.error]);
  return formatFields(fields);
}

/** The whole status: state, then the running and the last collection. */
export function describeGcStatus(status: GcStatusJson, now: Date): string {
  const sections = [formatFields([["state", describeGcState(status)]])];
  if (status.current) {
    sections.push(`current collection:\n${indent(describeGcReport(status.current, now))}`);
  }
  sections.push(
    status.last
      ? `last collection:\n${indent(describeGcReport(status.last, now))}`
      : "no collection has run yet",
  );
  return sections.join("\n\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}

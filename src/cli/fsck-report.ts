import type { FsckProblem, FsckReport, RepairOutcome, Severity } from "../fsck/problems.ts";
import { formatSize } from "./ctl/output/size.ts";

/** What one `mcr fsck` run found and did, for printing. */
export interface FsckRun {
  dataDir: string;
  /** The pid of a running `mcr serve` on the folder, when the check ran beside one. */
  servePid: number | null;
  report: FsckReport;
  /** Null without --repair. */
  repairs: RepairOutcome[] | null;
}

/** The problems still there: all of them, less those --repair fixed. */
export function remainingProblems(run: FsckRun): FsckProblem[] {
  const done = run.repairs?.filter((outcome) => outcome.done) ?? [];
  const fixed = new Set(done.map((outcome) => outcome.problem));
  const leftBehind = done.flatMap((outcome) => (outcome.leaves ? [outcome.leaves] : []));
  return [...run.report.problems.filter((found) => !fixed.has(found)), ...leftBehind];
}

/**
 * The human form: a summary of what was checked, one line per problem, one line per repair,
 * and a closing count that says what --repair would do.
 */
export function formatFsckText(run: FsckRun): string {
  const { counts, problems } = run.report;
  const lines = [
    `checked ${run.dataDir}: ${counts.blobs} blobs (${formatSize(counts.bytesHashed)} hashed), ` +
      `${counts.manifests} manifests, ${counts.tags} tags, ${counts.uploads} upload sessions`,
  ];
  const kindWidth = Math.max(0, ...problems.map((found) => found.kind.length));
  for (const found of problems) {
    lines.push(
      `${found.severity.padEnd(8)}  ${found.kind.padEnd(kindWidth)}  ${found.subject}  ${found.message}`,
    );
  }
  for (const outcome of run.repairs ?? []) {
    const verb = outcome.done ? "repaired" : "not repaired";
    lines.push(`${verb}  ${outcome.problem.subject}: ${outcome.detail}`);
  }

  const remaining = remainingProblems(run);
  if (problems.length === 0) lines.push("no problems found");
  else if (run.repairs === null) lines.push(summarize(problems));
  else if (remaining.length === 0) lines.push(`${countOf(problems.length, "problem")} repaired`);
  else lines.push(`after repair: ${summarize(remaining)}`);
  return `${lines.join("\n")}\n`;
}

function summarize(problems: FsckProblem[]): string {
  const bySeverity = new Map<Severity, number>();
  for (const found of problems) {
    bySeverity.set(found.severity, (bySeverity.get(found.severity) ?? 0) + 1);
  }
  const parts = [...bySeverity].map(([severity, count]) => `${count} ${severity}`);
  const repairable = problems.filter((found) => found.repair !== null).length;
  const advice = repairable > 0 ? `; ${repairable} can be repaired with --repair` : "";
  return `${countOf(problems.length, "problem")}: ${parts.join(", ")}${advice}`;
}

function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** The --json form: the same facts, in snake_case, one document. */
export function formatFsckJson(run: FsckRun): string {
  const problemJson = (found: FsckProblem) => ({
    kind: found.kind,
    severity: found.severity,
    subject: found.subject,
    message: found.message,
    repair: found.repair,
  });
  const remaining = remainingProblems(run);
  return `${JSON.stringify(
    {
      data_dir: run.dataDir,
      serve_pid: run.servePid,
      clean: remaining.length === 0,
      counts: {
        blobs: run.report.counts.blobs,
        bytes_hashed: run.report.counts.bytesHashed,
        manifests: run.report.counts.manifests,
        tags: run.report.counts.tags,
        uploads: run.report.counts.uploads,
      },
      problems: run.report.problems.map(problemJson),
      repairs:
        run.repairs?.map((outcome) => ({
          ...problemJson(outcome.problem),
          done: outcome.done,
          detail: outcome.detail,
        })) ?? null,
      remaining: remaining.map(problemJson),
    },
    null,
    2,
  )}\n`;
}

/**
 * How bad a problem is:
 * - `damage`: content or metadata is lost or wrong; a client can be hurt by it.
 * - `dangling`: a manifest names something its repository no longer holds; a client deleting
 *   a blob or a child manifest that a manifest still lists (the OCI API allows it) leaves this.
 * - `leftover`: what an interrupted push or a crash leaves behind; safe to remove.
 * - `foreign`: a file MCR did not write; fsck leaves it alone.
 */
export type Severity = "damage" | "dangling" | "leftover" | "foreign";

/** What `--repair` does about a problem; null means it leaves it to the operator. */
export type RepairAction =
  | "delete-blob-file"
  | "quarantine-blob"
  | "discard-upload"
  | "delete-upload-file"
  | "delete-partial-snapshot";

/** The one table of problem kinds: how bad each is and what --repair may do about it. */
export const PROBLEM_KINDS = {
  "database-damaged": { severity: "damage", repair: null },
  "reference-broken": { severity: "damage", repair: null },
  "blob-file-missing": { severity: "damage", repair: null },
  // The file's bytes are right and the row's size is wrong: nothing safe to do to either.
  "blob-size-mismatch": { severity: "damage", repair: null },
  // Moving damaged bytes aside is safe: they are not the content their digest names, so no
  // client can use them, and while they sit in place a push of the right bytes is not stored.
  "blob-content-mismatch": { severity: "damage", repair: "quarantine-blob" },
  // Something that is not a regular file (a directory, a FIFO, a link) at a blob's path:
  // never read (a FIFO would block) and never deleted, since MCR did not put it there.
  "blob-file-not-regular": { severity: "damage", repair: null },
  "blob-file-orphan": { severity: "leftover", repair: "delete-blob-file" },
  // A file without a row that manifests still name: the row was lost, and the file may be
  // the only copy of the content, so it is kept.
  "blob-row-missing": { severity: "damage", repair: null },
  "manifest-digest-mismatch": { severity: "damage", repair: null },
  "manifest-unreadable": { severity: "damage", repair: null },
  "manifest-references-differ": { severity: "damage", repair: null },
  "manifest-blob-missing": { severity: "damage", repair: null },
  "manifest-blob-unlinked": { severity: "dangling", repair: null },
  "manifest-child-missing": { severity: "dangling", repair: null },
  "tag-dangling": { severity: "damage", repair: null },
  "upload-expired": { severity: "leftover", repair: "discard-upload" },
  "upload-file-missing": { severity: "leftover", repair: "discard-upload" },
  "upload-file-short": { severity: "leftover", repair: "discard-upload" },
  "upload-file-orphan": { severity: "leftover", repair: "delete-upload-file" },
  "snapshot-partial": { severity: "leftover", repair: "delete-partial-snapshot" },
  "stray-file": { severity: "foreign", repair: null },
} as const satisfies Record<string, { severity: Severity; repair: RepairAction | null }>;

export type ProblemKind = keyof typeof PROBLEM_KINDS;

/** One thing found wrong. `subject` names it: a digest, an upload id, a tag or a path. */
export interface FsckProblem {
  kind: ProblemKind;
  severity: Severity;
  subject: string;
  message: string;
  repair: RepairAction | null;
}

/** Builds a problem with the severity and repair its kind carries. */
export function problem(kind: ProblemKind, subject: string, message: string): FsckProblem {
  const { severity, repair } = PROBLEM_KINDS[kind];
  return { kind, severity, subject, message, repair };
}

/** What a check looked at, for the summary. */
export interface FsckCounts {
  blobs: number;
  bytesHashed: number;
  manifests: number;
  tags: number;
  uploads: number;
}

/** What `mcr fsck` found. */
export interface FsckReport {
  counts: FsckCounts;
  problems: FsckProblem[];
}

/** One thing `--repair` did, or failed to do. */
export interface RepairOutcome {
  problem: FsckProblem;
  done: boolean;
  /** What the repair left in the problem's place, such as a blob now missing its file. */
  leaves?: FsckProblem;
  /** What was done ("moved to …") or why it was not. */
  detail: string;
}

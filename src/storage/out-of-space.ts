/**
 * Whether a failure means the data disk (or the owner's quota on it) is full: ENOSPC or
 * EDQUOT from a file write, or SQLITE_FULL from the database, which lives in the same data
 * folder by default. Such a failure is the operator's to fix, not a bug: callers answer it
 * with a clear refusal instead of an internal error and a stack trace.
 */
export function isOutOfSpace(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === "ENOSPC" || code === "EDQUOT" || code === "SQLITE_FULL";
}

/** What a client is told when a write failed for lack of space. */
export const OUT_OF_SPACE_MESSAGE =
  "the registry's storage is full; nothing from this request was kept; retry once space is freed";

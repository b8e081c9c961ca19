import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { partialSnapshotWriter } from "../admin/snapshot-service.ts";
import { listUploadSessions } from "../db/fsck.ts";
import { findUpload } from "../db/uploads.ts";
import { isAlive } from "../storage/process-identity.ts";
import type { FsckContext } from "./context.ts";
import { type FsckProblem, problem } from "./problems.ts";

/**
 * Upload sessions: a row idle past storage.upload_max_age is abandoned; a row whose file is
 * gone or shorter than the bytes it recorded cannot be resumed; a file with no row belongs
 * to no session. A session that is merely unfinished is not a problem: its client may resume.
 * A copy `mcr snapshot` was making when it was killed is a leftover too; one whose writer
 * still runs is a snapshot in progress.
 */
export async function checkUploads(context: FsckContext) {
  const problems: FsckProblem[] = [];
  const sessions = await listUploadSessions(context.db);
  const cutoff = context.now - context.uploadMaxAgeSeconds * 1000;
  for (const session of sessions) {
    const onDisk = await context.store.uploadSize(session.id);
    if (onDisk === null) {
      // Checked again: a running server's commit renames the file just before it drops the row.
      if (!(await findUpload(context.db, session.id))) continue;
      problems.push(problem("upload-file-missing", session.id, "upload session has no file"));
    } else if (onDisk < session.size) {
      problems.push(
        problem(
          "upload-file-short",
          session.id,
          `upload file holds ${onDisk} bytes, the session recorded ${session.size}`,
        ),
      );
    } else if (session.updated_at < cutoff) {
      const idle = Math.round((context.now - session.updated_at) / 1000);
      problems.push(
        problem("upload-expired", session.id, `upload to ${session.repository} idle for ${idle} s`),
      );
    }
  }

  const known = new Set(sessions.map((session) => session.id));
  for (const id of await context.store.listUploads()) {
    // Checked again: a server that is running creates the file just before the row.
    if (known.has(id) || (await findUpload(context.db, id))) continue;
    problems.push(problem("upload-file-orphan", id, "upload file has no session"));
  }

  for (const name of await readdir(context.snapshotDir).catch(() => [] as string[])) {
    const writer = partialSnapshotWriter(name);
    // A copy whose writer still runs is a snapshot in progress beside this check.
    if (writer === undefined || (writer !== null && isAlive(writer))) continue;
    problems.push(
      problem(
        "snapshot-partial",
        join(context.snapshotDir, name),
        "unfinished snapshot copy (mcr snapshot was interrupted)",
      ),
    );
  }
  return { problems, uploads: sessions.length };
}

import { blobRecorded, blobReferenced, listRecordedBlobs } from "../db/gc.ts";
import type { FsckContext } from "./context.ts";
import { type FsckProblem, problem } from "./problems.ts";

/** Rows read per query while walking the blobs table. */
const PAGE = 500;

/**
 * Every blob row has a file of the recorded size whose bytes hash to the digest, and every
 * blob file has a row. Files are hashed as streams, so memory stays flat whatever their size.
 *
 * A server may be running: garbage collection deletes a row and then its file, an upload
 * commit renames a file into place and then records it. So a missing file counts only if its
 * row still exists afterwards, and a file without a row only if it still has none afterwards.
 */
export async function checkBlobs(context: FsckContext) {
  const problems: FsckProblem[] = [];
  let blobs = 0;
  let bytesHashed = 0;

  let after = "";
  for (;;) {
    const rows = await listRecordedBlobs(context.db, after, PAGE);
    for (const row of rows) {
      blobs++;
      const found = await checkBlobFile(context, row.digest, row.size);
      bytesHashed += found.bytesHashed;
      if (found.problem) problems.push(found.problem);
    }
    if (rows.length < PAGE) break;
    after = rows.at(-1)?.digest ?? after;
  }

  for await (const digest of context.store.listBlobs()) {
    if (await blobRecorded(context.db, digest)) continue;
    if (await blobReferenced(context.db, digest)) {
      problems.push(
        problem(
          "blob-row-missing",
          digest,
          "blob file has no database row, yet manifests or repositories name it; the file is kept",
        ),
      );
      continue;
    }
    problems.push(
      problem(
        "blob-file-orphan",
        digest,
        "blob file has no database row (an upload or a collection was interrupted)",
      ),
    );
  }

  // What stands at a recorded blob's path was reported above, by its digest.
  const notFiles = problems
    .filter((found) => found.kind === "blob-file-not-regular")
    .map((found) => blobPathTail(found.subject));
  for (const path of await context.store.listStrayFiles()) {
    if (notFiles.some((tail) => path.endsWith(tail))) continue;
    problems.push(problem("stray-file", path, "file in the blob store that MCR did not write"));
  }
  return { problems, blobs, bytesHashed };
}

/** How the store's path of a blob ends: /<algorithm>/<first two hex digits>/<hex>. */
function blobPathTail(digest: string): string {
  const [algorithm, hex = ""] = digest.split(":");
  return `/${algorithm}/${hex.slice(0, 2)}/${hex}`;
}

async function checkBlobFile(context: FsckContext, digest: string, size: number) {
  const found = await context.store.inspect(digest);
  if (found.kind === "not-a-file") return notAFile(digest, size, found.what);
  if (found.kind === "missing") {
    if (!(await blobRecorded(context.db, digest))) return { bytesHashed: 0, problem: null };
    return {
      bytesHashed: 0,
      problem: problem("blob-file-missing", digest, `blob of ${size} bytes has no file`),
    };
  }
  const onDisk = found.size;
  // Hashed even when the size is off: only the bytes say whether the file or the row is wrong.
  const hashed = await context.store.hashStored(digest);
  // Gone since it was looked at: a collection removed it, and its row with it.
  if (hashed.kind === "missing") return { bytesHashed: 0, problem: null };
  if (hashed.kind === "not-a-file") return notAFile(digest, size, hashed.what);
  const actual = hashed.digest;
  if (actual !== digest) {
    const sizes = onDisk === size ? `${onDisk} bytes` : `${onDisk} bytes, recorded ${size},`;
    return {
      bytesHashed: onDisk,
      problem: problem(
        "blob-content-mismatch",
        digest,
        `blob file of ${sizes} hashes to ${actual}`,
      ),
    };
  }
  if (onDisk !== size) {
    return {
      bytesHashed: onDisk,
      problem: problem(
        "blob-size-mismatch",
        digest,
        `blob file is right (${onDisk} bytes) but the database records ${size} bytes`,
      ),
    };
  }
  return { bytesHashed: onDisk, problem: null };
}

function notAFile(digest: string, size: number, what: string) {
  return {
    bytesHashed: 0,
    problem: problem(
      "blob-file-not-regular",
      digest,
      `blob of ${size} bytes has ${what} in place of its file`,
    ),
  };
}

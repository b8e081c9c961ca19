import {
  listManifestReferences,
  listManifestsAfter,
  listReferencesToMissingBlobs,
  listReferencesToMissingChildren,
  listReferencesToUnlinkedBlobs,
} from "../db/fsck.ts";
import { digestAlgorithm, digestOf } from "../registry/digest.ts";
import { parseManifest } from "../registry/manifest.ts";
import type { FsckContext } from "./context.ts";
import { type FsckProblem, problem } from "./problems.ts";

/**
 * Manifests read per query. Each carries its content, up to storage.manifest_max_size (4 MiB
 * by default), so a page stays well under 100 MiB even when all are that large.
 */
const PAGE = 20;

/**
 * Every manifest's bytes hash to its digest and parse, the references recorded for it are
 * exactly those its content names, and what it references can be pulled: its blobs are
 * stored and linked to its repository, its child manifests are in its repository. A subject
 * may be absent (spec: "Pushing Manifests with Subject"), so it is not checked.
 */
export async function checkManifests(context: FsckContext) {
  const problems: FsckProblem[] = [];
  let manifests = 0;

  let after = 0;
  for (;;) {
    const rows = await listManifestsAfter(context.db, after, PAGE);
    for (const row of rows) {
      manifests++;
      const subject = `${row.repository ?? `repository?`}@${row.digest}`;
      const found = await checkManifestRow(context, { ...row, subject });
      if (found) problems.push(found);
    }
    if (rows.length < PAGE) break;
    after = rows.at(-1)?.id ?? after;
  }

  for (const ref of await listReferencesToMissingBlobs(context.db)) {
    problems.push(
      problem(
        "manifest-blob-missing",
        `${ref.repository}@${ref.manifest}`,
        `references blob ${ref.digest}, which is not stored`,
      ),
    );
  }
  for (const ref of await listReferencesToUnlinkedBlobs(context.db)) {
    problems.push(
      problem(
        "manifest-blob-unlinked",
        `${ref.repository}@${ref.manifest}`,
        `references blob ${ref.digest}, which is not readable in ${ref.repository} (deleted there?)`,
      ),
    );
  }
  for (const ref of await listReferencesToMissingChildren(context.db)) {
    problems.push(
      problem(
        "manifest-child-missing",
        `${ref.repository}@${ref.manifest}`,
        `index lists manifest ${ref.digest}, which ${ref.repository} does not hold (deleted?)`,
      ),
    );
  }
  return { problems, manifests };
}

async function checkManifestRow(
  context: FsckContext,
  row: {
    id: number;
    subject: string;
    digest: string;
    media_type: string;
    content: Uint8Array;
    size: number;
  },
): Promise<FsckProblem | null> {
  const content = new Uint8Array(row.content);
  const actual = digestOf(content, digestAlgorithm(row.digest));
  if (actual !== row.digest || content.byteLength !== row.size) {
    return problem(
      "manifest-digest-mismatch",
      row.subject,
      `stored content (${content.byteLength} bytes, recorded ${row.size}) hashes to ${actual}`,
    );
  }

  let expected: Set<string>;
  try {
    const parsed = parseManifest(content, row.media_type);
    expected = new Set([
      ...parsed.blobs.map((digest) => `blob ${digest}`),
      ...parsed.children.map((digest) => `manifest ${digest}`),
    ]);
  } catch (error) {
    return problem(
      "manifest-unreadable",
      row.subject,
      `content does not parse: ${(error as Error).message}`,
    );
  }
  const recorded = new Set(
    (await listManifestReferences(context.db, row.id)).map((ref) => `${ref.kind} ${ref.digest}`),
  );
  const absent = [...expected].filter((ref) => !recorded.has(ref));
  const extra = [...recorded].filter((ref) => !expected.has(ref));
  if (absent.length === 0 && extra.length === 0) return null;
  return problem(
    "manifest-references-differ",
    row.subject,
    `recorded references disagree with the content: ${[
      ...absent.map((ref) => `missing ${ref}`),
      ...extra.map((ref) => `extra ${ref}`),
    ].join(", ")}`,
  );
}

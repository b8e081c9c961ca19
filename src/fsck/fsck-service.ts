import { rm } from "node:fs/promises";
import { blobRecorded, blobReferenced } from "../db/gc.ts";
import { deleteUpload, findUpload } from "../db/uploads.ts";
import { checkBlobs } from "./check-blobs.ts";
import { checkDatabase } from "./check-database.ts";
import { checkManifests } from "./check-manifests.ts";
import { checkUploads } from "./check-uploads.ts";
import type { FsckContext } from "./context.ts";
import { type FsckProblem, type FsckReport, problem, type RepairOutcome } from "./problems.ts";

/**
 * Checks a data folder against its metadata database, and repairs what is safe to repair.
 * It knows no command line: `cli/fsck.ts` opens the folder and formats the answers.
 *
 * @example
 *   const fsck = new FsckService(context);
 *   const report = await fsck.check();
 *   const outcomes = await fsck.repair(report.problems);
 */
export class FsckService {
  constructor(private readonly context: FsckContext) {}

  /** Runs every check; reads only. */
  async check(): Promise<FsckReport> {
    const database = await checkDatabase(this.context);
    const blobs = await checkBlobs(this.context);
    const manifests = await checkManifests(this.context);
    const uploads = await checkUploads(this.context);
    return {
      counts: {
        blobs: blobs.blobs,
        bytesHashed: blobs.bytesHashed,
        manifests: manifests.manifests,
        tags: database.tags,
        uploads: uploads.uploads,
      },
      problems: [
        ...database.problems,
        ...blobs.problems,
        ...manifests.problems,
        ...uploads.problems,
      ],
    };
  }

  /**
   * Repairs the problems that have a repair action and leaves the others alone. The caller
   * must hold the data folder: with a server running, a file without a row may be an upload
   * being committed that very moment.
   */
  async repair(problems: readonly FsckProblem[]): Promise<RepairOutcome[]> {
    const outcomes: RepairOutcome[] = [];
    for (const found of problems) {
      if (found.repair === null) continue;
      try {
        const detail = await this.#repairOne(found);
        outcomes.push({ problem: found, done: true, detail, ...leftBehind(found) });
      } catch (error) {
        outcomes.push({ problem: found, done: false, detail: (error as Error).message });
      }
    }
    return outcomes;
  }

  async #repairOne(found: FsckProblem): Promise<string> {
    const { db, store } = this.context;
    switch (found.repair) {
      case "delete-blob-file":
        if (await blobRecorded(db, found.subject)) throw new Error("a row names it now; kept");
        if (await blobReferenced(db, found.subject)) {
          throw new Error("a manifest or repository names it now; kept");
        }
        await store.remove(found.subject);
        return "deleted the blob file";
      case "quarantine-blob": {
        const moved = await store.quarantine(found.subject);
        return `moved the damaged file to ${moved}; its row stays, so the blob reads as missing until a client pushes it again`;
      }
      case "discard-upload":
        await deleteUpload(db, found.subject);
        await store.removeUpload(found.subject);
        return "discarded the upload session and its file";
      case "delete-upload-file":
        if (await findUpload(db, found.subject)) throw new Error("a session names it now; kept");
        await store.removeUpload(found.subject);
        return "deleted the upload file";
      case "delete-partial-snapshot":
        await rm(found.subject, { force: true });
        return "deleted the unfinished snapshot copy";
      default:
        throw new Error("no repair for this problem");
    }
  }
}

/**
 * A quarantined blob is not repaired, only made harmless: its row stays and its file is gone,
 * so it is still damage (a missing blob) until a client pushes it again.
 */
function leftBehind(found: FsckProblem): Pick<RepairOutcome, "leaves"> {
  if (found.repair !== "quarantine-blob") return {};
  return {
    leaves: problem(
      "blob-file-missing",
      found.subject,
      "its damaged file was moved to quarantine/; push the blob again to restore it",
    ),
  };
}

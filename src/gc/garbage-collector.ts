import type { AuditLog } from "../audit/audit-log.ts";
import {
  blobRecorded,
  blobReferenced,
  deleteEmptyRepositories,
  deleteUnreferencedLinks,
  deleteUntaggedManifests,
  deleteUnusedBlobs,
  listRecordedBlobs,
} from "../db/gc.ts";
import type { Db } from "../db/schema.ts";
import type { Logger } from "../log/logger.ts";
import type { KeyedLock } from "../registry/keyed-lock.ts";
import type { BlobStore } from "../storage/blob-store.ts";

/** Settings of a collection. */
export interface GcOptions {
  /** Seconds a blob or manifest is kept after it arrived, referenced or not. */
  gracePeriod: number;
  /** Also delete untagged manifests no index lists (referrers of a present subject stay). */
  deleteUntagged: boolean;
}

/** What a run did. */
export interface GcReport {
  startedAt: string;
  finishedAt: string | null;
  reconcile: boolean;
  /** Content younger than this was kept whatever referenced it. */
  gracePeriodSeconds: number;
  manifestsDeleted: number;
  linksDeleted: number;
  repositoriesDeleted: number;
  blobsDeleted: number;
  bytesFreed: number;
  orphanFilesDeleted: number;
  rowsWithoutFile: number;
  error: string | null;
}

/** Where the collector stands. */
export interface GcStatus {
  state: "idle" | "running";
  phase: "mark-and-remove-rows" | "delete-files" | "reconcile" | null;
  current: GcReport | null;
  last: GcReport | null;
}

/** Rows per statement: small enough that pushes and pulls never wait long for the database. */
const BATCH = 200;

/** Raised when a collection is asked for while one runs. */
export class GcRunningError extends Error {}

/**
 * Online garbage collection, safe while clients push.
 *
 * Phase 1 removes rows in small batches, each one statement that re-checks its condition:
 * optionally untagged manifests, then repository links no manifest of the repository names,
 * then blob rows nothing links or names. Everything younger than the grace period stays,
 * which protects blobs pushed for a manifest still to come. A manifest push checks and
 * stores its references in one transaction, so it either lands before a batch (and its
 * blobs are kept) or after (and fails with MANIFEST_BLOB_UNKNOWN).
 *
 * Phase 2 deletes the files of the blob rows phase 1 removed, each under the digest's lock
 * that upload commits also take, and only if no row for the digest exists at that moment: a
 * client may have pushed the same content again in between.
 *
 * The reconcile pass deletes files no row names (crash leftovers), by the same rule, and
 * counts rows whose file is missing.
 */
export class GarbageCollector {
  #status: GcStatus = { state: "idle", phase: null, current: null, last: null };
  #running: Promise<GcReport> | null = null;
  #totals = { runs: 0, bytesFreed: 0 };
  #stopping = false;

  constructor(
    private readonly db: Db,
    private readonly store: BlobStore,
    private readonly digestLocks: KeyedLock,
    private readonly audit: AuditLog,
    private readonly log: Logger,
    private readonly options: GcOptions,
  ) {}

  /** Runs finished and bytes freed since start-up, for metrics. */
  totals(): { runs: number; bytesFreed: number } {
    return { ...this.#totals };
  }

  status(): GcStatus {
    return structuredClone(this.#status);
  }

  /**
   * Starts a collection in the background and returns at once; throws GcRunningError when
   * one is running. `done` settles when it has finished.
   */
  start(options: { reconcile: boolean; actor: string; gracePeriod?: number }): {
    done: Promise<GcReport>;
  } {
    if (this.#status.state === "running") throw new GcRunningError("a collection is running");
    const report: GcReport = {
      startedAt: new Date().toISOString(),
      finishedAt: null,
      reconcile: options.reconcile,
      gracePeriodSeconds: options.gracePeriod ?? this.options.gracePeriod,
      manifestsDeleted: 0,
      linksDeleted: 0,
      repositoriesDeleted: 0,
      blobsDeleted: 0,
      bytesFreed: 0,
      orphanFilesDeleted: 0,
      rowsWithoutFile: 0,
      error: null,
    };
    this.#status = {
      ...this.#status,
      state: "running",
      phase: "mark-and-remove-rows",
      current: report,
    };
    const done = this.#run(report, options);
    this.#running = done;
    return { done };
  }

  /** Asks a running collection to stop after its current batch, and waits for it. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#running?.catch(() => {});
  }

  async #run(report: GcReport, options: { reconcile: boolean; actor: string }) {
    const actor = { name: options.actor, clientAddress: null };
    await this.audit.record({
      type: "gc_started",
      actor,
      details: { reconcile: options.reconcile, grace_period_seconds: report.gracePeriodSeconds },
    });
    try {
      const files = await this.#removeRows(report);
      this.#status.phase = "delete-files";
      // Files of rows already removed are deleted even when stopping: the reconcile pass of
      // a later run would otherwise be the only thing to find them.
      for (const blob of files) await this.#deleteFileIfUnrecorded(blob.digest, blob.size, report);
      if (options.reconcile) {
        this.#status.phase = "reconcile";
        await this.#reconcile(report);
      }
    } catch (error) {
      report.error = error instanceof Error ? error.message : String(error);
      this.log.error("garbage collection failed", { error: report.error });
    }
    report.finishedAt = new Date().toISOString();
    this.#totals.runs++;
    this.#totals.bytesFreed += report.bytesFreed;
    this.#status = { state: "idle", phase: null, current: null, last: report };
    await this.audit.record({ type: "gc_completed", actor, details: snakeCaseKeys(report) });
    this.log.info("garbage collection finished", {
      blobs_deleted: report.blobsDeleted,
      bytes_freed: report.bytesFreed,
      manifests_deleted: report.manifestsDeleted,
      error: report.error,
    });
    return report;
  }

  async #removeRows(report: GcReport) {
    const before = Date.now() - report.gracePeriodSeconds * 1000;
    if (this.options.deleteUntagged) {
      report.manifestsDeleted = await this.#drain(() =>
        deleteUntaggedManifests(this.db, before, BATCH),
      );
    }
    report.linksDeleted = await this.#drain(() => deleteUnreferencedLinks(this.db, before, BATCH));
    report.repositoriesDeleted = await this.#drain(() => deleteEmptyRepositories(this.db, BATCH));
    const files: Array<{ digest: string; size: number }> = [];
    for (;;) {
      this.#checkStopping();
      const batch = await deleteUnusedBlobs(this.db, before, BATCH);
      files.push(...batch);
      if (batch.length < BATCH) break;
      await yieldToRequests();
    }
    return files;
  }

  /** Runs a batch statement until it deletes less than a batch; returns the total. */
  async #drain(batch: () => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      this.#checkStopping();
      const count = await batch();
      total += count;
      if (count < BATCH) return total;
      await yieldToRequests();
    }
  }

  async #deleteFileIfUnrecorded(digest: string, size: number | null, report: GcReport) {
    await this.digestLocks.run(digest, async () => {
      if (await blobRecorded(this.db, digest)) return;
      // A file whose row was lost while manifests still name it may be the content's only
      // copy: kept for an operator (mcr fsck reports it), never collected.
      if (size === null && (await blobReferenced(this.db, digest))) {
        this.log.warn("blob file named by manifests has no row; kept", { digest });
        return;
      }
      const onDisk = await this.store.size(digest);
      if (onDisk === null) return;
      await this.store.remove(digest);
      report.bytesFreed += onDisk;
      if (size === null) report.orphanFilesDeleted++;
      else report.blobsDeleted++;
    });
  }

  #checkStopping(): void {
    if (this.#stopping) throw stoppedError();
  }

  async #reconcile(report: GcReport) {
    let seen = 0;
    for await (const digest of this.store.listBlobs()) {
      this.#checkStopping();
      await this.#deleteFileIfUnrecorded(digest, null, report);
      if (++seen % BATCH === 0) await yieldToRequests();
    }
    let after = "";
    for (;;) {
      const rows = await listRecordedBlobs(this.db, after, BATCH);
      for (const row of rows) {
        if ((await this.store.size(row.digest)) === null) {
          report.rowsWithoutFile++;
          this.log.warn("blob recorded without a file", { digest: row.digest, size: row.size });
        }
      }
      if (rows.length < BATCH) return;
      after = rows.at(-1)?.digest ?? after;
      await yieldToRequests();
    }
  }
}

function stoppedError(): Error {
  return new Error("stopped by shutdown");
}

/** Lets requests waiting for the event loop (and the database) run between two batches. */
function yieldToRequests(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The report with snake_case keys (`bytes_freed`), as every other audit event's details and
 * the admin API's answers are written.
 */
function snakeCaseKeys(report: GcReport): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(report).map(([key, value]) => [
      key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`),
      value,
    ]),
  );
}

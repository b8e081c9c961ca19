import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Actor, AuditLog } from "../audit/audit-log.ts";
import { syncFile, syncFolder } from "../storage/durable-files.ts";
import { currentProcess, type ProcessIdentity } from "../storage/process-identity.ts";

/** A snapshot just made. */
export interface Snapshot {
  path: string;
  size: number;
  /** Older snapshots deleted to honour snapshot.keep_days. */
  pruned: string[];
}

/**
 * The copy runs in a worker thread with its own read-only connection: bun:sqlite blocks its
 * thread while it works, and VACUUM INTO of a large database would otherwise stall every
 * request. WAL mode lets it read a consistent state while the server keeps writing.
 */
const WORKER_SOURCE = `
import { Database } from "bun:sqlite";
self.onmessage = (event) => {
  try {
    const db = new Database(event.data.source, { readonly: true });
    db.run("VACUUM INTO ?", [event.data.target]);
    db.close();
    postMessage({ ok: true });
  } catch (error) {
    postMessage({ ok: false, error: String(error) });
  }
};`;

const SNAPSHOT_NAME = /^mcr-(\d{8}T\d{6})(?:\.\d+)?Z\.db$/;

/**
 * A snapshot still being written is named `<snapshot name>.<pid>-<start time>.partial`,
 * after the process writing it. `mcr snapshot` runs beside `mcr serve` and so cannot take
 * the data folder's lock; its name is how `mcr fsck --repair` tells a copy in progress (its
 * writer runs) from one a crash left behind (its writer is gone). A partial from an older
 * mcr names no writer and counts as left behind.
 */
const PARTIAL_NAME = /^(mcr-.+?\.db)\.(?:(\d+)(?:-(\d+))?\.)?partial$/;

/** The name under which `writer` writes the snapshot `name` until it is whole. */
export function partialSnapshotName(name: string, writer: ProcessIdentity): string {
  return `${name}.${writer.pid}${writer.startTime === null ? "" : `-${writer.startTime}`}.partial`;
}

/**
 * For the name of an unfinished snapshot copy, the process that writes it (null when the
 * name does not say); undefined for any other name.
 */
export function partialSnapshotWriter(name: string): ProcessIdentity | null | undefined {
  const match = PARTIAL_NAME.exec(name);
  if (!match || !SNAPSHOT_NAME.test(match[1] ?? "")) return undefined;
  if (match[2] === undefined) return null;
  return { pid: Number(match[2]), startTime: match[3] ?? null };
}

/**
 * Consistent copies of the metadata database as <dir>/mcr-<UTC timestamp>.db. A snapshot
 * holds metadata only; blob files are backed up beside it (see the README).
 */
export class SnapshotService {
  constructor(
    private readonly options: { databasePath: string; dir: string; keepDays: number },
    private readonly audit: AuditLog | null,
  ) {}

  async create(actor: Actor | null, now = new Date()): Promise<Snapshot> {
    // Checked first: a mistyped --data-dir must not leave a new, empty snapshot folder behind.
    if (!existsSync(this.options.databasePath)) {
      throw new Error(
        `there is no database at ${this.options.databasePath}: run mcr init, or pass the ` +
          "--data-dir or --config the registry uses",
      );
    }
    mkdirSync(this.options.dir, { recursive: true });
    // Milliseconds too, so that two snapshots in one second do not collide.
    const stamp = now.toISOString().replace(/[-:]/g, "");
    const path = join(this.options.dir, `mcr-${stamp}.db`);
    // SQLite neither syncs a VACUUM INTO copy nor makes it appear at once: a crash half-way
    // would leave a truncated file under a snapshot's name. Copy under another name, sync,
    // then rename, so that a file named like a snapshot is always a whole one.
    const partial = partialSnapshotName(path, currentProcess());
    try {
      await vacuumInto(this.options.databasePath, partial);
      await syncFile(partial);
      renameSync(partial, path);
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    }
    await syncFolder(this.options.dir);
    const pruned = this.#prune(now);
    const snapshot = { path, size: statSync(path).size, pruned };
    await this.audit?.record({ type: "snapshot_created", actor, details: { ...snapshot } });
    return snapshot;
  }

  #prune(now: Date): string[] {
    const oldest = now.getTime() - this.options.keepDays * 86_400_000;
    const pruned: string[] = [];
    for (const name of readdirSync(this.options.dir)) {
      const stamp = SNAPSHOT_NAME.exec(name)?.[1];
      if (!stamp) continue;
      const taken = Date.parse(
        `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:` +
          `${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`,
      );
      if (taken < oldest) {
        rmSync(join(this.options.dir, name), { force: true });
        pruned.push(name);
      }
    }
    return pruned;
  }
}

function vacuumInto(source: string, target: string): Promise<void> {
  const worker = new Worker(
    URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" })),
  );
  return new Promise<void>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ ok: boolean; error?: string }>) => {
      worker.terminate();
      if (event.data.ok) resolve();
      else reject(new Error(`snapshot failed: ${event.data.error}`));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`snapshot failed: ${event.message}`));
    };
    worker.postMessage({ source, target });
  });
}

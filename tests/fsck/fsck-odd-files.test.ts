import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, spyOn, test } from "bun:test";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { partialSnapshotName } from "../../src/admin/snapshot-service.ts";
import type { Config } from "../../src/config/config.ts";
import { loadConfig } from "../../src/config/load.ts";
import { openDatabase } from "../../src/db/database.ts";
import { FsckRefusedError, openFsck } from "../../src/fsck/open-fsck.ts";
import { LOCK_FILE } from "../../src/storage/data-folder-lock.ts";
import { FilesystemBlobStore } from "../../src/storage/filesystem-store.ts";
import { currentProcess } from "../../src/storage/process-identity.ts";
import { pushImage, sha256 } from "../helpers/oci-client.ts";
import { makeTempFolder, removeFolder, startTestRegistry } from "../helpers/test-registry.ts";

/**
 * fsck and --repair against what a careless tool, an attacker with write access to the data
 * folder, or a concurrent `mcr snapshot` leaves there: links out of the folder, directories
 * and FIFOs where blob files belong, copies in progress, and databases that are not MCR's.
 */

let config: Config;
let dataDir: string;
let outside: string;
let image: Awaited<ReturnType<typeof pushImage>>;

beforeEach(async () => {
  const registry = await startTestRegistry();
  config = registry.config;
  dataDir = registry.dataDir;
  image = await pushImage(registry.url, "team/app", "v1");
  await registry.stop();
  outside = makeTempFolder("mcr-outside-");
});
afterEach(() => {
  removeFolder(dataDir);
  removeFolder(outside);
});

async function check(options: { repair?: boolean; on?: Config } = {}) {
  const opened = await openFsck(options.on ?? config, { repair: options.repair ?? false });
  try {
    const report = await opened.service.check();
    const repairs = options.repair ? await opened.service.repair(report.problems) : [];
    return { report, repairs };
  } finally {
    await opened.close();
  }
}

const kinds = (found: { kind: string }[]) => found.map((one) => one.kind).sort();

function blobPath(digest: string): string {
  const hex = digest.slice("sha256:".length);
  return join(dataDir, "blobs", "sha256", hex.slice(0, 2), hex);
}

/** A digest whose two-digit prefix folder does not exist yet in the store. */
function digestWithNewPrefix(): { content: string; digest: string; prefix: string } {
  for (let i = 0; ; i++) {
    const content = `bytes outside the data folder ${i}`;
    const digest = sha256(content);
    const prefix = digest.slice(7, 9);
    if (!existsSync(join(dataDir, "blobs", "sha256", prefix))) return { content, digest, prefix };
  }
}

test("a prefix folder linked out of the data folder is foreign, and --repair deletes nothing behind it", async () => {
  const { content, digest, prefix } = digestWithNewPrefix();
  const victim = join(outside, digest.slice(7));
  writeFileSync(victim, content);
  symlinkSync(outside, join(dataDir, "blobs", "sha256", prefix));
  // A link in place of the algorithm folder, too.
  mkdirSync(join(outside, "512"));
  symlinkSync(join(outside, "512"), join(dataDir, "blobs", "sha512"));

  const { report, repairs } = await check({ repair: true });
  expect(kinds(report.problems)).toEqual(["stray-file", "stray-file"]);
  expect(repairs).toEqual([]);
  expect(readFileSync(victim, "utf8")).toBe(content);
});

test("deleting or quarantining a blob refuses to act through a linked folder", async () => {
  const { content, digest, prefix } = digestWithNewPrefix();
  const victim = join(outside, digest.slice(7));
  writeFileSync(victim, content);
  symlinkSync(outside, join(dataDir, "blobs", "sha256", prefix));

  const store = await FilesystemBlobStore.open(dataDir);
  await expect(store.remove(digest)).rejects.toThrow("refusing to act through");
  await expect(store.quarantine(digest)).rejects.toThrow("refusing to act through");
  expect(readFileSync(victim, "utf8")).toBe(content);
});

test("a directory or a FIFO at a blob's path is damage, reported without reading it, and kept", async () => {
  rmSync(blobPath(image.layerDigest));
  mkdirSync(blobPath(image.layerDigest));
  rmSync(blobPath(image.configDigest));
  expect(Bun.spawnSync(["mkfifo", blobPath(image.configDigest)]).exitCode).toBe(0);

  // Opening the FIFO for reading would block this check forever.
  const { report, repairs } = await check({ repair: true });
  expect(kinds(report.problems)).toEqual(["blob-file-not-regular", "blob-file-not-regular"]);
  const messages = report.problems.map((found) => found.message).join("\n");
  expect(messages).toContain("a FIFO in place of its file");
  expect(messages).toContain("a directory in place of its file");
  expect(repairs).toEqual([]);
  expect(existsSync(blobPath(image.layerDigest))).toBe(true);
  expect(existsSync(blobPath(image.configDigest))).toBe(true);
}, 10_000);

test("a FIFO or a link put at a blob's path after it was looked at is reported, never read", async () => {
  // The race: inspect finds a regular file, then something else takes its place before
  // the bytes are read. Played here by a look that reports the file that was there.
  const sizeOf = (digest: string) => readFileSync(blobPath(digest)).length;
  const sizes = new Map([image.configDigest, image.layerDigest].map((d) => [d, sizeOf(d)]));
  rmSync(blobPath(image.configDigest));
  expect(Bun.spawnSync(["mkfifo", blobPath(image.configDigest)]).exitCode).toBe(0);
  const victim = join(outside, "victim");
  writeFileSync(victim, "not a blob");
  rmSync(blobPath(image.layerDigest));
  symlinkSync(victim, blobPath(image.layerDigest));
  const looked = spyOn(FilesystemBlobStore.prototype, "inspect").mockImplementation(
    async (digest: string) => {
      const size = sizes.get(digest);
      return size === undefined ? { kind: "file", size: sizeOf(digest) } : { kind: "file", size };
    },
  );
  try {
    const { report } = await check();
    expect(kinds(report.problems)).toEqual(["blob-file-not-regular", "blob-file-not-regular"]);
    const messages = report.problems.map((found) => found.message).join("\n");
    expect(messages).toContain("a FIFO in place of its file");
    expect(messages).toContain("a symbolic link in place of its file");
  } finally {
    looked.mockRestore();
  }
}, 10_000);

test("a snapshot copy whose writer still runs is left alone; one whose writer is gone is a leftover", async () => {
  const snapshots = config.snapshot.dir;
  mkdirSync(snapshots, { recursive: true });
  const running = partialSnapshotName("mcr-20261204T101010.123Z.db", currentProcess());
  const dead = { pid: Bun.spawnSync(["true"]).pid, startTime: "1" };
  const abandoned = partialSnapshotName("mcr-20261204T101011.123Z.db", dead);
  writeFileSync(join(snapshots, running), "being copied");
  writeFileSync(join(snapshots, abandoned), "half");

  const { report, repairs } = await check({ repair: true });
  expect(report.problems.map((found) => found.subject)).toEqual([join(snapshots, abandoned)]);
  expect(repairs.map((outcome) => outcome.done)).toEqual([true]);
  expect(readdirSync(snapshots)).toEqual([running]);
});

/** A data folder holding only `database` as its mcr.db, and a config that points at it. */
function folderWithDatabase(write: (path: string) => void): { folder: string; config: Config } {
  const folder = join(outside, "data");
  mkdirSync(folder);
  const folderConfig = loadConfig({ env: {}, flags: { "storage.data_dir": folder } });
  write(folderConfig.database.path);
  return { folder, config: folderConfig };
}

for (const [what, write] of [
  [
    "another application's SQLite file",
    (path: string) => {
      const other = new Database(path, { create: true });
      other.run("CREATE TABLE notes (body TEXT)");
      other.close();
    },
  ],
  [
    "a file of random bytes",
    (path: string) => writeFileSync(path, crypto.getRandomValues(new Uint8Array(8192))),
  ],
] as const) {
  test(`--repair refuses ${what} as a check does, changing nothing and holding no lock`, async () => {
    const { folder, config: folderConfig } = folderWithDatabase(write);
    const before = readFileSync(folderConfig.database.path);

    for (const repair of [false, true]) {
      const refusal = await openFsck(folderConfig, { repair }).catch((error) => error);
      expect(refusal).toBeInstanceOf(FsckRefusedError);
      expect(refusal.message).toContain("is not an MCR database");
    }
    expect(readFileSync(folderConfig.database.path)).toEqual(before);
    expect(readdirSync(folder)).toEqual(["mcr.db"]);
    expect(existsSync(join(folder, LOCK_FILE))).toBe(false);
  });
}

test("a check of a folder without blobs/ or uploads/ creates neither", async () => {
  const { folder, config: folderConfig } = folderWithDatabase((path) => {
    openDatabase({ path, busyTimeoutMs: 1000 }).close();
  });
  const { report } = await check({ on: folderConfig });
  expect(report.problems).toEqual([]);
  expect(existsSync(join(folder, "blobs"))).toBe(false);
  expect(existsSync(join(folder, "uploads"))).toBe(false);
});

test("a database written by a newer mcr is refused by a check, a repair and a server", async () => {
  const sqlite = new Database(config.database.path);
  sqlite.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'x', 0)");
  sqlite.close();

  for (const repair of [false, true]) {
    const refusal = await openFsck(config, { repair }).catch((error) => error);
    expect(refusal).toBeInstanceOf(FsckRefusedError);
    expect(refusal.message).toContain("written by a newer mcr");
  }
  expect(() => openDatabase(config.database)).toThrow("schema migration 999");
});

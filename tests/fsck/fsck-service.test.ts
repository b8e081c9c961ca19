import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatFsckText, remainingProblems } from "../../src/cli/fsck-report.ts";
import type { Config } from "../../src/config/config.ts";
import { FsckRefusedError, openFsck } from "../../src/fsck/open-fsck.ts";
import type { FsckProblem } from "../../src/fsck/problems.ts";
import { pushMultiArchImage } from "../helpers/multi-arch-image.ts";
import { pushBlob, pushImage, sha256 } from "../helpers/oci-client.ts";
import { removeFolder, startTestRegistry } from "../helpers/test-registry.ts";

/**
 * fsck against a real data folder: a registry pushes real images and stops, then each test
 * damages the SQLite file or the store folder the way a crash, a bad disk or a stray tool
 * would, and checks what fsck reports and what --repair does.
 */

let config: Config;
let dataDir: string;
let image: Awaited<ReturnType<typeof pushImage>>;

beforeEach(async () => {
  const registry = await startTestRegistry();
  config = registry.config;
  dataDir = registry.dataDir;
  image = await pushImage(registry.url, "team/app", "v1");
  await pushMultiArchImage(registry.url, "team/multi", "latest", null);
  await registry.stop();
});
afterEach(() => removeFolder(dataDir));

async function check(options: { repair?: boolean } = {}) {
  const opened = await openFsck(config, { repair: options.repair ?? false });
  try {
    const report = await opened.service.check();
    const repairs = options.repair ? await opened.service.repair(report.problems) : [];
    return { report, repairs };
  } finally {
    await opened.close();
  }
}

function kinds(problems: FsckProblem[]): string[] {
  return problems.map((found) => found.kind).sort();
}

/** Runs SQL on the database with foreign keys off (SQLite's default), as a careless tool would. */
function tamper(statement: string, ...params: Array<string | number>) {
  const sqlite = new Database(config.database.path);
  try {
    sqlite.run(statement, params);
  } finally {
    sqlite.close();
  }
}

function blobPath(digest: string): string {
  const hex = digest.slice("sha256:".length);
  return join(dataDir, "blobs", "sha256", hex.slice(0, 2), hex);
}

test("a registry that pushed an image, an index and a referrer is clean, every blob hashed", async () => {
  const { report } = await check();
  expect(report.problems).toEqual([]);
  expect(report.counts.manifests).toBeGreaterThanOrEqual(4);
  expect(report.counts.tags).toBe(2);
  expect(report.counts.bytesHashed).toBeGreaterThan(0);
});

test("a blob row whose file is gone is damage that --repair leaves alone", async () => {
  rmSync(blobPath(image.layerDigest));
  const { report, repairs } = await check({ repair: true });
  expect(kinds(report.problems)).toEqual(["blob-file-missing"]);
  expect(report.problems[0]?.subject).toBe(image.layerDigest);
  expect(report.problems[0]?.severity).toBe("damage");
  expect(repairs).toEqual([]);
});

test("a blob file with the wrong bytes is found by hashing and quarantined, never deleted", async () => {
  const original = readFileSync(blobPath(image.layerDigest));
  const damaged = Buffer.from(original);
  damaged[0] = (damaged[0] ?? 0) ^ 0xff;
  writeFileSync(blobPath(image.layerDigest), damaged);

  const { report, repairs } = await check({ repair: true });
  expect(kinds(report.problems)).toEqual(["blob-content-mismatch"]);
  expect(report.problems[0]?.message).toContain(sha256(damaged));
  expect(repairs).toHaveLength(1);
  expect(repairs[0]?.done).toBe(true);

  // The bytes are kept aside exactly as found, and the row stays: the blob now reads as
  // missing, which is the truth, until a client pushes it again.
  const quarantined = readdirSync(join(dataDir, "quarantine"));
  expect(quarantined).toHaveLength(1);
  expect(readFileSync(join(dataDir, "quarantine", quarantined[0] ?? ""))).toEqual(damaged);
  const after = await check();
  expect(kinds(after.report.problems)).toEqual(["blob-file-missing"]);
  // --repair says so at once: a quarantine makes the damage harmless, not gone.
  const run = { dataDir, servePid: null, report, repairs };
  expect(kinds(remainingProblems(run))).toEqual(["blob-file-missing"]);
  expect(formatFsckText(run)).toContain("after repair: 1 problem: 1 damage");

  // The same content pushed again takes its place, and the folder is clean.
  const registry = await startTestRegistry({ dataDir });
  await pushBlob(registry.url, "team/app", original);
  await registry.stop();
  expect((await check()).report.problems).toEqual([]);
});

test("a blob file of the wrong size is damaged content, quarantined like any other", async () => {
  writeFileSync(blobPath(image.configDigest), "short");
  const { report } = await check();
  expect(kinds(report.problems)).toEqual(["blob-content-mismatch"]);
  expect(report.problems[0]?.message).toContain("5 bytes, recorded");
  expect(report.problems[0]?.repair).toBe("quarantine-blob");
});

test("a row with the wrong size beside a right file is damage, and the file is kept", async () => {
  tamper("UPDATE blobs SET size = size + 1 WHERE digest = ?", image.layerDigest);
  const { report, repairs } = await check({ repair: true });
  expect(kinds(report.problems)).toEqual(["blob-size-mismatch"]);
  expect(repairs).toEqual([]);
  expect(existsSync(blobPath(image.layerDigest))).toBe(true);
});

test("a blob file with no row is a leftover that --repair deletes, after which all is clean", async () => {
  const content = "bytes an interrupted upload renamed into place";
  const digest = sha256(content);
  mkdirSync(join(blobPath(digest), ".."), { recursive: true });
  writeFileSync(blobPath(digest), content);

  const { report, repairs } = await check({ repair: true });
  expect(kinds(report.problems)).toEqual(["blob-file-orphan"]);
  expect(report.problems[0]?.severity).toBe("leftover");
  expect(repairs.map((outcome) => outcome.done)).toEqual([true]);
  expect(existsSync(blobPath(digest))).toBe(false);
  expect((await check()).report.problems).toEqual([]);
});

test("a manifest whose blob row is gone names the missing blob", async () => {
  tamper("DELETE FROM repository_blobs WHERE digest = ?", image.layerDigest);
  tamper("DELETE FROM blobs WHERE digest = ?", image.layerDigest);
  const { report, repairs } = await check({ repair: true });
  // The file is left without a row too, but a manifest names it: damage (the row is lost),
  // not a leftover, and --repair keeps what may be the content's only copy.
  expect(kinds(report.problems)).toEqual(["blob-row-missing", "manifest-blob-missing"]);
  expect(report.problems.find((found) => found.kind === "blob-row-missing")?.severity).toBe(
    "damage",
  );
  const missing = report.problems.find((found) => found.kind === "manifest-blob-missing");
  expect(missing?.subject).toBe(`team/app@${image.digest}`);
  expect(missing?.message).toContain(image.layerDigest);
  expect(repairs).toEqual([]);
  expect(existsSync(blobPath(image.layerDigest))).toBe(true);
});

test("a blob a manifest names but its repository no longer links is dangling", async () => {
  tamper("DELETE FROM repository_blobs WHERE digest = ?", image.layerDigest);
  const { report } = await check();
  expect(kinds(report.problems)).toEqual(["manifest-blob-unlinked"]);
  expect(report.problems[0]?.severity).toBe("dangling");
});

test("an index whose child manifest is gone is dangling", async () => {
  // As a client's DELETE of the child does: its tags and references go with it.
  const sqlite = new Database(config.database.path);
  sqlite.run("PRAGMA foreign_keys = ON");
  sqlite.run(
    "DELETE FROM manifests WHERE digest = (SELECT digest FROM manifest_references WHERE kind = 'manifest' LIMIT 1)",
  );
  sqlite.close();
  const { report } = await check();
  expect(kinds(report.problems)).toEqual(["manifest-child-missing"]);
  expect(report.problems[0]?.subject).toStartWith("team/multi@sha256:");
});

test("a tag pointing at no manifest, or at another repository's, is damage", async () => {
  const sqlite = new Database(config.database.path);
  sqlite.run("PRAGMA foreign_keys = OFF");
  sqlite.run(
    "UPDATE tags SET manifest_id = 9999 WHERE repository_id = (SELECT id FROM repositories WHERE name = 'team/app')",
  );
  sqlite.run(
    `UPDATE tags SET manifest_id = (SELECT m.id FROM manifests m JOIN repositories r ON r.id = m.repository_id
       WHERE r.name = 'team/app' LIMIT 1)
     WHERE repository_id = (SELECT id FROM repositories WHERE name = 'team/multi')`,
  );
  sqlite.close();
  const { report } = await check();
  expect(kinds(report.problems)).toEqual(["tag-dangling", "tag-dangling"]);
  expect(report.problems.map((found) => found.subject).sort()).toEqual([
    "team/app:v1",
    "team/multi:latest",
  ]);
});

test("a manifest whose stored bytes or recorded references changed is damage", async () => {
  tamper("UPDATE manifests SET content = CAST('{}' AS BLOB) WHERE digest = ?", image.digest);
  tamper(
    `DELETE FROM manifest_references WHERE (manifest_id, kind, digest) IN
       (SELECT manifest_id, kind, digest FROM manifest_references WHERE kind = 'manifest' LIMIT 1)`,
  );
  const { report } = await check();
  expect(kinds(report.problems)).toEqual([
    "manifest-digest-mismatch",
    "manifest-references-differ",
  ]);
});

test("dead, expired and orphan uploads are leftovers that --repair removes with their files", async () => {
  const registry = await startTestRegistry({ dataDir });
  const sessions: string[] = [];
  for (let i = 0; i < 4; i++) {
    const start = await fetch(`${registry.url}/v2/team/app/blobs/uploads/`, { method: "POST" });
    const location = new URL(start.headers.get("location") ?? "", registry.url);
    await fetch(location, { method: "PATCH", body: "some bytes" });
    sessions.push(location.pathname.split("/").at(-1) ?? "");
  }
  await registry.stop();
  const [noFile, short, expired, orphan, active] = [...sessions, "unused"];
  rmSync(join(dataDir, "uploads", noFile ?? ""));
  writeFileSync(join(dataDir, "uploads", short ?? ""), "some");
  tamper("UPDATE uploads SET updated_at = 0 WHERE id = ?", expired ?? "");
  tamper("DELETE FROM uploads WHERE id = ?", orphan ?? "");
  expect(active).toBe("unused");

  const { report, repairs } = await check({ repair: true });
  expect(kinds(report.problems)).toEqual([
    "upload-expired",
    "upload-file-missing",
    "upload-file-orphan",
    "upload-file-short",
  ]);
  expect(repairs.every((outcome) => outcome.done)).toBe(true);
  expect(readdirSync(join(dataDir, "uploads"))).toEqual([]);
  expect((await check()).report.problems).toEqual([]);
});

test("an unfinished upload that its client may still resume is not a problem", async () => {
  const registry = await startTestRegistry({ dataDir });
  const start = await fetch(`${registry.url}/v2/team/app/blobs/uploads/`, { method: "POST" });
  await fetch(new URL(start.headers.get("location") ?? "", registry.url), {
    method: "PATCH",
    body: "half a layer",
  });
  await registry.stop();
  const { report } = await check();
  expect(report.problems).toEqual([]);
  expect(report.counts.uploads).toBe(1);
});

test("an interrupted snapshot copy is a leftover; a finished snapshot and foreign files are kept", async () => {
  const snapshots = join(dataDir, "snapshots");
  mkdirSync(snapshots, { recursive: true });
  writeFileSync(join(snapshots, "mcr-20261204T101010.123Z.db.partial"), "half");
  writeFileSync(join(snapshots, "mcr-20261204T101011.123Z.db"), "whole");
  writeFileSync(join(dataDir, "uploads", "notes.txt"), "an operator's file");

  const { report, repairs } = await check({ repair: true });
  expect(kinds(report.problems)).toEqual(["snapshot-partial", "stray-file"]);
  expect(repairs).toHaveLength(1);
  expect(readdirSync(snapshots)).toEqual(["mcr-20261204T101011.123Z.db"]);
  expect(existsSync(join(dataDir, "uploads", "notes.txt"))).toBe(true);
});

test("a check never writes: the database stays byte for byte and nothing is created", async () => {
  rmSync(blobPath(image.layerDigest));
  const before = readFileSync(config.database.path);
  await check();
  expect(readFileSync(config.database.path)).toEqual(before);
  expect(existsSync(join(dataDir, "quarantine"))).toBe(false);
});

test("a database this build would migrate is refused by a check, which never migrates", async () => {
  tamper("DELETE FROM schema_migrations WHERE version = 2");
  const refusal = await openFsck(config, { repair: false }).catch((error) => error);
  expect(refusal).toBeInstanceOf(FsckRefusedError);
  expect(refusal.message).toContain("lacks migrations 0002_identity");
});

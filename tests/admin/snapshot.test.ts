import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { SnapshotService } from "../../src/admin/snapshot-service.ts";
import { pushImage } from "../helpers/oci-client.ts";
import { makeTempFolder, removeFolder, startTestRegistry } from "../helpers/test-registry.ts";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function registryIn(dataDir?: string) {
  const registry = await startTestRegistry(dataDir ? { dataDir } : {});
  cleanups.push(() => registry.destroy());
  return registry;
}

test("a snapshot taken while serving restores, with the blob folder, into a working registry", async () => {
  const original = await registryIn();
  const image = await pushImage(original.url, "backup/app", "v1");

  const response = await fetch(`${original.url}/v1/snapshot`, { method: "POST" });
  expect(response.status).toBe(201);
  const snapshot = (await response.json()) as { path: string; size: number; pruned: string[] };
  expect(snapshot.path).toStartWith(join(original.dataDir, "snapshots", "mcr-"));
  expect(snapshot.size).toBeGreaterThan(0);

  // Restore as the README says: the snapshot becomes mcr.db, the blob folder comes along.
  const restored = makeTempFolder("mcr-restore-");
  cpSync(snapshot.path, join(restored, "mcr.db"));
  cpSync(join(original.dataDir, "blobs"), join(restored, "blobs"), { recursive: true });
  const registry = await registryIn(restored);

  const manifest = await fetch(`${registry.url}/v2/backup/app/manifests/v1`);
  expect(await manifest.text()).toBe(image.manifest);
  const layer = await fetch(`${registry.url}/v2/backup/app/blobs/${image.layerDigest}`);
  expect(layer.status).toBe(200);
  const report = await registry.running.gc.start({ reconcile: true, actor: "test" }).done;
  expect(report.rowsWithoutFile).toBe(0);
});

test("snapshots older than keep_days are pruned when a new one is made", async () => {
  const registry = await startTestRegistry({ env: { MCR_SNAPSHOT_KEEP_DAYS: "7" } });
  cleanups.push(() => registry.destroy());
  const dir = join(registry.dataDir, "snapshots");
  mkdirSync(dir, { recursive: true });
  cpSync(join(registry.dataDir, "mcr.db"), join(registry.dataDir, "copy.db"));
  const old = "mcr-20200101T000000.000Z.db";
  const recent = `mcr-${new Date(Date.now() - 86_400_000).toISOString().replace(/[-:]/g, "")}.db`;
  for (const name of [old, recent, "notes.txt"]) {
    cpSync(join(registry.dataDir, "copy.db"), join(dir, name), { force: true });
  }
  const snapshot = await fetch(`${registry.url}/v1/snapshot`, { method: "POST" });
  const body = (await snapshot.json()) as { pruned: string[] };
  expect(body.pruned).toEqual([old]);
  expect(existsSync(join(dir, old))).toBe(false);
  expect(existsSync(join(dir, recent))).toBe(true);
  expect(existsSync(join(dir, "notes.txt"))).toBe(true);
});

test("a snapshot is a consistent SQLite database with every migration", async () => {
  const registry = await registryIn();
  await pushImage(registry.url, "backup/consistent", "v1");
  const response = await fetch(`${registry.url}/v1/snapshot`, { method: "POST" });
  const { path } = (await response.json()) as { path: string };
  const copy = new Database(path, { readonly: true });
  try {
    expect(copy.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    expect(copy.query("SELECT count(*) AS n FROM schema_migrations").get()).toEqual({ n: 2 });
    expect(copy.query("SELECT count(*) AS n FROM manifests").get()).toEqual({ n: 1 });
  } finally {
    copy.close();
  }
});

test("a file named like a snapshot is always whole: the copy is written under another name", async () => {
  const folder = makeTempFolder("mcr-snapshot-");
  cleanups.push(() => removeFolder(folder));
  // Big enough that the copy takes a while, so a half-written file would be seen.
  const source = join(folder, "source.db");
  const db = new Database(source);
  db.run("CREATE TABLE filler (data BLOB)");
  const insert = db.prepare("INSERT INTO filler VALUES (randomblob(65536))");
  db.transaction(() => {
    for (let i = 0; i < 600; i++) insert.run();
  })();
  db.close();

  const dir = join(folder, "snapshots");
  const service = new SnapshotService({ databasePath: source, dir, keepDays: 30 }, null);
  const seen = new Set<number>();
  let copying = true;
  const watching = (async () => {
    while (copying) {
      for (const name of existsSync(dir) ? readdirSync(dir) : []) {
        if (!/^mcr-.*Z\.db$/.test(name)) continue;
        const size = statSync(join(dir, name), { throwIfNoEntry: false })?.size;
        if (size !== undefined) seen.add(size);
      }
      await Bun.sleep(0);
    }
  })();
  const snapshot = await service.create(null);
  copying = false;
  await watching;
  expect(seen.size).toBeGreaterThan(0);
  const partialSizes = [...seen].filter((size) => size !== snapshot.size);
  expect(partialSizes.length).toBe(0);
});

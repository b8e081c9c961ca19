import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GcRunningError } from "../../src/gc/garbage-collector.ts";
import { imageManifest, pushBlob, pushImage, sha256 } from "../helpers/oci-client.ts";
import { putManifest } from "../helpers/oci-expect.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

const registries: TestRegistry[] = [];
afterEach(async () => {
  for (const registry of registries.splice(0)) await registry.destroy();
});

/** A registry whose collector keeps nothing for its age alone (grace period 0). */
async function registryWith(env: Record<string, string> = {}) {
  const registry = await startTestRegistry({ env: { MCR_GC_GRACE_PERIOD: "0s", ...env } });
  registries.push(registry);
  return registry;
}

function blobFile(registry: TestRegistry, digest: string): string {
  const hex = digest.slice("sha256:".length);
  return join(registry.dataDir, "blobs", "sha256", hex.slice(0, 2), hex);
}

async function collect(registry: TestRegistry, reconcile = false) {
  return registry.running.gc.start({ reconcile, actor: "test" }).done;
}

async function readable(registry: TestRegistry, name: string, digest: string) {
  return (await fetch(`${registry.url}/v2/${name}/blobs/${digest}`)).status === 200;
}

test("an unreferenced blob is collected; a tagged image's blobs stay and pull", async () => {
  const registry = await registryWith();
  const image = await pushImage(registry.url, "gc/app", "v1");
  const stray = await pushBlob(registry.url, "gc/app", "pushed but never used");

  const report = await collect(registry);
  expect(report.error).toBeNull();
  expect(report.blobsDeleted).toBe(1);
  expect(report.bytesFreed).toBe("pushed but never used".length);
  expect(existsSync(blobFile(registry, stray))).toBe(false);
  expect(await readable(registry, "gc/app", stray)).toBe(false);
  expect(await readable(registry, "gc/app", image.layerDigest)).toBe(true);
  expect(await readable(registry, "gc/app", image.configDigest)).toBe(true);
  const manifest = await fetch(`${registry.url}/v2/gc/app/manifests/v1`);
  expect(await manifest.text()).toBe(image.manifest);
});

test("the grace period keeps recent content whatever references it", async () => {
  const registry = await registryWith({ MCR_GC_GRACE_PERIOD: "1h" });
  const stray = await pushBlob(registry.url, "gc/grace", "young and unreferenced");
  const report = await collect(registry);
  expect(report.blobsDeleted).toBe(0);
  expect(existsSync(blobFile(registry, stray))).toBe(true);
});

test("deleting a manifest frees its blobs, except those another manifest still names", async () => {
  const registry = await registryWith();
  const shared = "{}";
  const sharedDigest = await pushBlob(registry.url, "gc/del", shared);
  const layerA = await pushBlob(registry.url, "gc/del", "layer a");
  const layerB = await pushBlob(registry.url, "gc/del", "layer b");
  const a = imageManifest({ digest: sharedDigest, size: 2 }, [{ digest: layerA, size: 7 }]);
  const b = imageManifest({ digest: sharedDigest, size: 2 }, [{ digest: layerB, size: 7 }]);
  expect((await putManifest(registry.url, "gc/del", "a", a)).status).toBe(201);
  expect((await putManifest(registry.url, "gc/del", "b", b)).status).toBe(201);
  const deleted = await fetch(`${registry.url}/v2/gc/del/manifests/${sha256(a)}`, {
    method: "DELETE",
  });
  expect(deleted.status).toBe(202);

  const report = await collect(registry);
  expect(report.blobsDeleted).toBe(1);
  expect(existsSync(blobFile(registry, layerA))).toBe(false);
  expect(existsSync(blobFile(registry, sharedDigest))).toBe(true);
  expect(existsSync(blobFile(registry, layerB))).toBe(true);
});

test("a blob in two repositories survives the deletion of one link", async () => {
  const registry = await registryWith();
  const digest = await pushBlob(registry.url, "gc/one", "shared content");
  await pushBlob(registry.url, "gc/two", "shared content");
  await pushImage(registry.url, "gc/two", "keep", "x");
  const manifest = imageManifest({ digest, size: 14 }, []);
  expect((await putManifest(registry.url, "gc/two", "uses-it", manifest)).status).toBe(201);
  await fetch(`${registry.url}/v2/gc/one/blobs/${digest}`, { method: "DELETE" });
  await collect(registry);
  expect(await readable(registry, "gc/two", digest)).toBe(true);
});

test("untagged manifests go only when asked, and referrers of a present subject stay", async () => {
  const registry = await registryWith({ MCR_GC_DELETE_UNTAGGED: "true" });
  const subject = await pushImage(registry.url, "gc/untagged", "subject", "s");
  const old = await pushImage(registry.url, "gc/untagged", "moving", "old");
  await pushImage(registry.url, "gc/untagged", "moving", "new");
  const referrer = imageManifest(
    {
      digest: subject.configDigest,
      size: JSON.stringify({ architecture: "amd64", os: "linux", seed: "s" }).length,
    },
    [],
    {
      subject: {
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: subject.digest,
        size: subject.manifest.length,
      },
    },
  );
  expect((await putManifest(registry.url, "gc/untagged", sha256(referrer), referrer)).status).toBe(
    201,
  );

  const report = await collect(registry);
  expect(report.manifestsDeleted).toBe(1);
  const status = async (reference: string) =>
    (await fetch(`${registry.url}/v2/gc/untagged/manifests/${reference}`)).status;
  expect(await status(old.digest)).toBe(404);
  expect(await status(sha256(referrer))).toBe(200);
  expect(await status("moving")).toBe(200);
  expect(existsSync(blobFile(registry, old.layerDigest))).toBe(false);
});

test("reconcile deletes files no row names and counts rows without a file", async () => {
  const registry = await registryWith();
  const orphan = sha256("left by a crash");
  mkdirSync(join(blobFile(registry, orphan), ".."), { recursive: true });
  writeFileSync(blobFile(registry, orphan), "left by a crash");
  const image = await pushImage(registry.url, "gc/reconcile", "v1");
  // A file lost behind the registry's back.
  Bun.spawnSync(["rm", blobFile(registry, image.layerDigest)]);

  const report = await collect(registry, true);
  expect(report.orphanFilesDeleted).toBe(1);
  expect(report.rowsWithoutFile).toBe(1);
  expect(existsSync(blobFile(registry, orphan))).toBe(false);
});

test("reconcile keeps a file whose row was lost while a manifest still names it", async () => {
  const registry = await registryWith();
  const image = await pushImage(registry.url, "gc/lost-row", "v1");
  // A careless tool drops the row; the file may now be the content's only copy.
  const sqlite = new Database(registry.config.database.path);
  sqlite.run("DELETE FROM repository_blobs WHERE digest = ?", [image.layerDigest]);
  sqlite.run("DELETE FROM blobs WHERE digest = ?", [image.layerDigest]);
  sqlite.close();

  const report = await collect(registry, true);
  expect(report.error).toBeNull();
  expect(report.orphanFilesDeleted).toBe(0);
  expect(existsSync(blobFile(registry, image.layerDigest))).toBe(true);
});

test("one collection at a time, with its status and audit events", async () => {
  const registry = await registryWith();
  const { gc } = registry.running;
  const run = gc.start({ reconcile: false, actor: "test" });
  expect(() => gc.start({ reconcile: false, actor: "test" })).toThrow(GcRunningError);
  expect(gc.status().state).toBe("running");
  await run.done;
  expect(gc.status()).toMatchObject({ state: "idle", last: { error: null } });
  const { events } = await registry.running.audit.query({});
  const types = events.map((event) => event.eventType);
  expect(types).toContain("gc_started");
  expect(types).toContain("gc_completed");
  // Audit details are snake_case, as every other event's and the API's answers are.
  const completed = events.find((event) => event.eventType === "gc_completed");
  expect(Object.keys(completed?.details ?? {}).sort()).toEqual([
    "blobs_deleted",
    "bytes_freed",
    "error",
    "finished_at",
    "grace_period_seconds",
    "links_deleted",
    "manifests_deleted",
    "orphan_files_deleted",
    "reconcile",
    "repositories_deleted",
    "rows_without_file",
    "started_at",
  ]);
});

test("pushes and deletes racing repeated collections never lose a blob of a live manifest", async () => {
  // A short grace period: long enough for a client to push its manifest after its blobs,
  // short enough that what the pushers delete is collected while they keep pushing.
  const registry = await registryWith({ MCR_GC_GRACE_PERIOD: "200ms" });
  const live = new Map<string, { name: string; digests: string[] }>();
  let stop = false;
  let runs = 0;
  let deleted = 0;

  const collector = (async () => {
    while (!stop) {
      deleted += (await collect(registry)).blobsDeleted;
      runs++;
      await Bun.sleep(5);
    }
  })();
  const pusher = async (worker: number) => {
    const name = `gc/race${worker}`;
    let previous: string | null = null;
    for (let round = 0; round < 12; round++) {
      const config = JSON.stringify({ worker, round });
      const layer = `layer ${worker} ${round} ${"x".repeat(round * 1000)}`;
      for (let attempt = 0; ; attempt++) {
        const configDigest = await pushBlob(registry.url, name, config);
        const layerDigest = await pushBlob(registry.url, name, layer);
        const manifest = imageManifest({ digest: configDigest, size: config.length }, [
          { digest: layerDigest, size: layer.length },
        ]);
        const response = await putManifest(registry.url, name, "latest", manifest);
        if (response.status === 201) {
          live.set(sha256(manifest), { name, digests: [configDigest, layerDigest] });
          break;
        }
        // Collected between upload and manifest: a clean refusal, never half-accepted. On a
        // busy machine a push can outlast the 200 ms grace period more than once.
        expect(response.status).toBe(400);
        expect(attempt).toBeLessThan(20);
      }
      // The previous image becomes garbage for the collector to race with.
      if (previous) {
        await fetch(`${registry.url}/v2/${name}/manifests/${previous}`, { method: "DELETE" });
        live.delete(previous);
      }
      previous = [...live.keys()].find((digest) => live.get(digest)?.name === name) ?? null;
    }
  };
  await Promise.all([0, 1, 2, 3].map(pusher));
  stop = true;
  await collector;

  expect(runs).toBeGreaterThan(5);
  expect(live.size).toBe(4);
  await Bun.sleep(250);
  // Whichever run got to them (on a busy machine the loop's last run may already have), the
  // deleted images' blobs were collected.
  deleted += (await collect(registry)).blobsDeleted;
  expect(deleted).toBeGreaterThan(0);
  for (const { name, digests } of live.values()) {
    for (const digest of digests) expect(await readable(registry, name, digest)).toBe(true);
  }
  const final = await collect(registry, true);
  expect(final.orphanFilesDeleted).toBe(0);
  expect(final.rowsWithoutFile).toBe(0);
}, 60_000);

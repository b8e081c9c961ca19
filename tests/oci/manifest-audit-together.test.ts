import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { imageManifest, pushImage } from "../helpers/oci-client.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

/**
 * A manifest push or delete and its audit events are one transaction: when the event cannot
 * be written, the change does not happen either. The audit table is made to refuse inserts
 * through a second connection to the same database file.
 */
let registry: TestRegistry;
let sqlite: Database;

beforeEach(async () => {
  registry = await startTestRegistry();
  sqlite = new Database(registry.config.database.path);
});

afterEach(async () => {
  sqlite.close();
  await registry.destroy();
});

function refuseAuditEvents(): void {
  sqlite.run(
    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END",
  );
}

function auditEvents(): Array<{ event_type: string; details: string | null }> {
  return sqlite.query("SELECT event_type, details FROM audit_log ORDER BY id").all() as Array<{
    event_type: string;
    details: string | null;
  }>;
}

async function putManifest(tag: string, manifest: string): Promise<Response> {
  return fetch(`${registry.url}/v2/app/manifests/${tag}`, {
    method: "PUT",
    headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" },
    body: manifest,
  });
}

test("a push refused by its checks records no event", async () => {
  const { configDigest } = await pushImage(registry.url, "app", "v1");
  const missingLayer = imageManifest({ digest: configDigest, size: 49 }, [
    { digest: `sha256:${"0".repeat(64)}`, size: 1 },
  ]);
  expect((await putManifest("v2", missingLayer)).status).toBe(400);
  expect(auditEvents().map((event) => event.event_type)).toEqual([
    "repository_created",
    "manifest_pushed",
  ]);
});

test("a push whose audit event cannot be written stores nothing", async () => {
  const { manifest } = await pushImage(registry.url, "app", "v1");
  refuseAuditEvents();

  const refused = await putManifest("v2", manifest);
  expect(refused.status).toBeGreaterThanOrEqual(500);

  const pulled = await fetch(`${registry.url}/v2/app/manifests/v2`);
  expect(pulled.status).toBe(404);
  expect(auditEvents().map((event) => event.event_type)).toEqual([
    "repository_created",
    "manifest_pushed",
  ]);
});

test("a tag delete whose audit event cannot be written leaves the tag", async () => {
  await pushImage(registry.url, "app", "v1");
  refuseAuditEvents();

  const refused = await fetch(`${registry.url}/v2/app/manifests/v1`, { method: "DELETE" });
  expect(refused.status).toBeGreaterThanOrEqual(500);
  expect((await fetch(`${registry.url}/v2/app/manifests/v1`)).status).toBe(200);
});

test("moving a tag records tag_moved beside manifest_pushed", async () => {
  await pushImage(registry.url, "app", "v1");
  const second = await pushImage(registry.url, "app", "v1", "other seed");
  const events = auditEvents();
  expect(events.map((event) => event.event_type)).toEqual([
    "repository_created",
    "manifest_pushed",
    "manifest_pushed",
    "tag_moved",
  ]);
  expect(JSON.parse(events[3]?.details ?? "{}")).toMatchObject({ tag: "v1" });
  expect(second.digest).toMatch(/^sha256:/);
});

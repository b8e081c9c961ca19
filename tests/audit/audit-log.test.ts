import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { AuditLog } from "../../src/audit/audit-log.ts";
import { insertAuditRecord } from "../../src/db/audit.ts";
import { type MetadataDatabase, openDatabase } from "../../src/db/database.ts";
import { createLogger, silentLogger } from "../../src/log/logger.ts";
import {
  type AuthRegistry,
  basic,
  createSystemAccount,
  pushImageAs,
  requestToken,
  startAuthRegistry,
} from "../helpers/auth.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

describe("events of a running registry", () => {
  let registry: AuthRegistry;
  /** A second handle on the registry's database, to read the audit log as an operator would. */
  let reader: MetadataDatabase;
  let audit: AuditLog;

  beforeAll(async () => {
    registry = await startAuthRegistry();
    reader = openDatabase(registry.config.database);
    audit = new AuditLog(reader.db, silentLogger);
  });
  afterAll(async () => {
    await reader.close();
    await registry.destroy();
  });

  const events = async (eventType: string) => (await audit.query({ eventType })).events;

  test("a login that succeeds and one that fails", async () => {
    expect(
      (await fetch(`${registry.url}/v2/`, { headers: { Authorization: registry.admin } })).status,
    ).toBe(200);
    const wrong = await fetch(`${registry.url}/v2/`, {
      headers: { Authorization: basic("admin", "wrong password") },
    });
    expect(wrong.status).toBe(401);

    const [succeeded] = await events("login_succeeded");
    expect(succeeded).toMatchObject({
      actor: "admin",
      clientAddress: "127.0.0.1",
      details: { provider: "local" },
    });
    const [failed] = await events("login_failed");
    expect(failed).toMatchObject({ actor: "admin", clientAddress: "127.0.0.1" });
  });

  test("a token issued at /v2/token, with what it grants", async () => {
    const response = await requestToken(
      registry.url,
      { scope: ["repository:audited/app:pull"] },
      registry.admin,
    );
    expect(response.status).toBe(200);
    const [issued] = await events("token_issued");
    expect(issued).toMatchObject({
      actor: "admin",
      details: {
        kind: "registry",
        scopes: [{ type: "repository", name: "audited/app", actions: ["pull"] }],
        refresh: false,
      },
    });
    expect(JSON.stringify(issued)).not.toContain("mcr_");
  });

  test("repository created, manifest pushed with its tag, tag moved", async () => {
    const first = await pushImageAs(registry.url, "audited/app", "1", registry.admin, "one");
    const second = await pushImageAs(registry.url, "audited/app", "1", registry.admin, "two");

    const created = await events("repository_created");
    expect(created.filter((event) => event.repository === "audited/app")).toHaveLength(1);
    expect(created[0]).toMatchObject({ actor: "admin", repository: "audited/app" });

    const pushed = await events("manifest_pushed");
    expect(pushed.slice(0, 2)).toMatchObject([
      { actor: "admin", repository: "audited/app", digest: second.digest, details: { tag: "1" } },
      { actor: "admin", repository: "audited/app", digest: first.digest, details: { tag: "1" } },
    ]);
    const [moved] = await events("tag_moved");
    expect(moved).toMatchObject({
      repository: "audited/app",
      digest: second.digest,
      details: { tag: "1", from: first.digest },
    });
  });

  test("tag, manifest and blob deleted", async () => {
    const image = await pushImageAs(registry.url, "audited/gone", "v1", registry.admin);
    const admin = { Authorization: registry.admin };
    const base = `${registry.url}/v2/audited/gone`;
    expect((await fetch(`${base}/manifests/v1`, { method: "DELETE", headers: admin })).status).toBe(
      202,
    );
    const byDigest = await fetch(`${base}/manifests/${image.digest}`, {
      method: "DELETE",
      headers: admin,
    });
    expect(byDigest.status).toBe(202);
    const blob = await fetch(`${base}/blobs/${image.layerDigest}`, {
      method: "DELETE",
      headers: admin,
    });
    expect(blob.status).toBe(202);

    expect((await events("tag_deleted"))[0]).toMatchObject({
      actor: "admin",
      repository: "audited/gone",
      details: { tag: "v1" },
    });
    expect((await events("manifest_deleted"))[0]).toMatchObject({
      repository: "audited/gone",
      digest: image.digest,
    });
    expect((await events("blob_deleted"))[0]).toMatchObject({
      repository: "audited/gone",
      digest: image.layerDigest,
    });
  });

  test("a request the policy denies", async () => {
    const robot = await createSystemAccount(registry, "audited-robot");
    const denied = await fetch(`${registry.url}/v2/audited/app/blobs/uploads/`, {
      method: "POST",
      headers: { Authorization: robot.authorization },
    });
    expect(denied.status).toBe(403);
    const [event] = await events("policy_denied");
    expect(event).toMatchObject({
      actor: "audited-robot",
      repository: "audited/app",
      clientAddress: "127.0.0.1",
      details: { actions: ["registry:push"], rule: null },
    });
    expect(String(event?.details?.reason)).toContain("default deny");

    // Without credentials a refusal asks for them; it is not recorded as a denial.
    const before = (await events("policy_denied")).length;
    await fetch(`${registry.url}/v2/audited/app/tags/list`);
    expect(await events("policy_denied")).toHaveLength(before);
  });
});

describe("querying", () => {
  let folder: string;
  let metadata: MetadataDatabase;
  let audit: AuditLog;

  // Ten events at t = 1000, 2000, …, 10000 with known fields; ids 1 to 10.
  beforeAll(async () => {
    folder = makeTempFolder("mcr-audit-");
    metadata = openDatabase({ path: join(folder, "mcr.db"), busyTimeoutMs: 1000 });
    audit = new AuditLog(metadata.db, silentLogger);
    for (let i = 1; i <= 10; i++) {
      await insertAuditRecord(metadata.db, {
        time: i * 1000,
        eventType: i % 2 === 0 ? "manifest_pushed" : "login_succeeded",
        actor: i <= 5 ? "alice" : "bob",
        repository: i % 3 === 0 ? "team/app" : null,
        digest: null,
        clientAddress: "10.0.0.1",
        details: { i },
      });
    }
  });
  afterAll(async () => {
    await metadata.close();
    removeFolder(folder);
  });

  const order = (page: { events: Array<{ details: Record<string, unknown> | null }> }) =>
    page.events.map((event) => event.details?.i);

  test("everything, newest first", async () => {
    const page = await audit.query({});
    expect(order(page)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(page.nextBefore).toBeNull();
  });

  const FILTERS: Array<[string, Parameters<AuditLog["query"]>[0], number[]]> = [
    ["event type", { eventType: "manifest_pushed" }, [10, 8, 6, 4, 2]],
    ["actor", { actor: "alice" }, [5, 4, 3, 2, 1]],
    ["repository", { repository: "team/app" }, [9, 6, 3]],
    ["since (inclusive)", { since: 8000 }, [10, 9, 8]],
    ["until (exclusive)", { until: 3000 }, [2, 1]],
    ["since and until", { since: 4000, until: 7000 }, [6, 5, 4]],
    ["all combined", { eventType: "manifest_pushed", actor: "bob", since: 7000 }, [10, 8]],
    ["nothing matching", { actor: "carol" }, []],
  ];
  for (const [name, filter, expected] of FILTERS) {
    test(`filter by ${name}`, async () => {
      expect(order(await audit.query(filter))).toEqual(expected);
    });
  }

  test("pages of 4, newest first, follow nextBefore to the end", async () => {
    const first = await audit.query({ limit: 4 });
    expect(order(first)).toEqual([10, 9, 8, 7]);
    expect(first.nextBefore).toBe(first.events.at(-1)?.id ?? -1);

    const second = await audit.query({ limit: 4, before: first.nextBefore ?? undefined });
    expect(order(second)).toEqual([6, 5, 4, 3]);
    const third = await audit.query({ limit: 4, before: second.nextBefore ?? undefined });
    expect(order(third)).toEqual([2, 1]);
    expect(third.nextBefore).toBeNull();
  });

  test("a page that ends exactly at the last event has no next page", async () => {
    const page = await audit.query({ limit: 5, actor: "alice" });
    expect(order(page)).toEqual([5, 4, 3, 2, 1]);
    expect(page.nextBefore).toBeNull();
  });

  test("pagination combines with filters", async () => {
    const first = await audit.query({ eventType: "login_succeeded", limit: 2 });
    expect(order(first)).toEqual([9, 7]);
    const next = await audit.query({
      eventType: "login_succeeded",
      limit: 2,
      before: first.nextBefore ?? undefined,
    });
    expect(order(next)).toEqual([5, 3]);
  });

  test("a limit below 1 is raised to 1", async () => {
    expect(order(await audit.query({ limit: 0 }))).toEqual([10]);
  });
});

describe("a write that fails", () => {
  test("is logged as an error with the event, and does not throw", async () => {
    const folder = makeTempFolder("mcr-audit-closed-");
    try {
      const metadata = openDatabase({ path: join(folder, "mcr.db"), busyTimeoutMs: 1000 });
      const lines: string[] = [];
      const log = createLogger({
        level: "debug",
        format: "json",
        write: (line) => lines.push(line),
      });
      const audit = new AuditLog(metadata.db, log);
      // One write while open: close() only shuts a handle that has been used (see report).
      await audit.record({ type: "login_succeeded", actor: null });
      expect(lines).toEqual([]);
      await metadata.close();

      await audit.record({
        type: "manifest_pushed",
        actor: { name: "alice", clientAddress: "10.0.0.1" },
        repository: "team/app",
        digest: "sha256:abc",
        details: { tag: "1" },
      });

      expect(lines).toHaveLength(1);
      const line = JSON.parse(lines[0] ?? "{}") as Record<string, string>;
      expect(line).toMatchObject({ level: "error", msg: "audit event could not be written" });
      expect(line.error).toBeString();
      expect(JSON.parse(line.event ?? "{}")).toMatchObject({
        eventType: "manifest_pushed",
        actor: "alice",
        repository: "team/app",
        digest: "sha256:abc",
        clientAddress: "10.0.0.1",
        details: { tag: "1" },
      });
    } finally {
      removeFolder(folder);
    }
  });
});

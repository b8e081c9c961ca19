/**
 * Path traversal: names, tags, digests and upload ids carrying `..`, encoded and double
 * encoded dots and slashes, backslashes, NUL and absolute paths, on every /v2 endpoint and
 * the admin API, never read, write or delete anything outside the data folder. A sentinel
 * file sits beside the data folder; every byte of the tree outside it is compared after.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SnapshotService } from "../../src/admin/snapshot-service.ts";
import { basic, readAdminPassword } from "../helpers/auth.ts";
import { pushBlob } from "../helpers/oci-client.ts";
import {
  makeTempFolder,
  removeFolder,
  startTestRegistry,
  type TestRegistry,
} from "../helpers/test-registry.ts";
import { listTree } from "../helpers/tree-listing.ts";
import { expectRegistryAlive } from "./oci-answer.ts";
import { type RawAnswer, rawRequest } from "./raw-request.ts";

let parent: string;
let registry: TestRegistry;
let port: number;
let admin: string;
let layerDigest: string;
let outsideBefore: string[];
const SENTINEL = `sentinel ${crypto.randomUUID()}`;
const OVERWRITE = `overwrite ${crypto.randomUUID()}`;

/** The tree beside the data folder: the sentinel, and anything a traversal would create. */
function outsideTree(): string[] {
  return listTree(parent).filter((line) => !line.startsWith("data"));
}

beforeAll(async () => {
  parent = makeTempFolder("mcr-traversal-");
  const dataDir = join(parent, "data");
  mkdirSync(dataDir);
  writeFileSync(join(parent, "sentinel"), SENTINEL);
  mkdirSync(join(parent, "blobs", "sha256"), { recursive: true });
  writeFileSync(join(parent, "blobs", "sha256", "sentinel"), SENTINEL);
  registry = await startTestRegistry({ dataDir, env: { MCR_AUTH_PROVIDER: "local" } });
  port = Number(new URL(registry.url).port);
  admin = basic("admin", readAdminPassword(dataDir));
  layerDigest = await pushBlobAsAdmin("team/app", "layer bytes");
  outsideBefore = outsideTree();
});
afterAll(async () => {
  await registry.stop();
  removeFolder(parent);
});

async function pushBlobAsAdmin(name: string, data: string): Promise<string> {
  const base = registry.url.replace("://", `://admin:${readAdminPassword(registry.dataDir)}@`);
  return pushBlob(base, name, data);
}

/** Ways to say "go up and reach the sentinel", raw and encoded once or twice. */
function payloads(): string[] {
  const absolute = join(parent, "sentinel");
  return [
    "..",
    "../sentinel",
    "../../sentinel",
    "../../../sentinel",
    "..%2fsentinel",
    "..%2Fsentinel",
    "%2e%2e/sentinel",
    "%2e%2e%2fsentinel",
    "%2E%2E%2F%2E%2E%2Fsentinel",
    "%252e%252e%252fsentinel",
    ".%2e/.%2e/sentinel",
    "..\\sentinel",
    "..%5csentinel",
    "..%5c..%5csentinel",
    "%c0%ae%c0%ae/sentinel",
    "....//sentinel",
    "sentinel%00",
    "%00../sentinel",
    absolute,
    absolute.slice(1),
    encodeURIComponent(absolute),
    "sha256:../../sentinel",
    "sha256:..%2f..%2fsentinel",
    `sha256:${"a".repeat(60)}/../sentinel`,
    "sha256/../../sentinel",
    "../blobs/sha256/sentinel",
    "..%2f..%2fblobs%2fsha256%2fsentinel",
  ];
}

/** Every /v2 position a payload can take, with the method that would touch a file there. */
function v2Targets(p: string): Array<[method: string, target: string]> {
  const upload = `/v2/team/app/blobs/uploads/${p}`;
  const uploads = "/v2/team/app/blobs/uploads/";
  return [
    ["GET", `/v2/${p}/tags/list`],
    ["GET", `/v2/${p}/blobs/${layerDigest}`],
    ["POST", `/v2/${p}/blobs/uploads/`],
    ["GET", `/v2/team/app/blobs/${p}`],
    ["HEAD", `/v2/team/app/blobs/${p}`],
    ["DELETE", `/v2/team/app/blobs/${p}`],
    ["GET", `/v2/team/app/manifests/${p}`],
    ["PUT", `/v2/team/app/manifests/${p}`],
    ["DELETE", `/v2/team/app/manifests/${p}`],
    ["GET", `/v2/team/app/referrers/${p}`],
    ["GET", upload],
    ["PATCH", upload],
    ["PUT", `${upload}?digest=${layerDigest}`],
    ["DELETE", upload],
    ["POST", `${uploads}?digest=${encodeURIComponent(p)}`],
    ["POST", `${uploads}?mount=${encodeURIComponent(p)}&from=team/app`],
    ["POST", `${uploads}?mount=${layerDigest}&from=${encodeURIComponent(p)}`],
  ];
}

/** Admin positions: repository names, tags, digests, account names, token ids. */
function v1Targets(p: string): Array<[method: string, target: string]> {
  return [
    ["GET", `/v1/repositories/${p}`],
    ["DELETE", `/v1/repositories/${p}`],
    ["GET", `/v1/repositories/team/app/manifests/${p}`],
    ["DELETE", `/v1/repositories/team/app/manifests/${p}`],
    ["DELETE", `/v1/repositories/team/app/tags/${p}`],
    ["GET", `/v1/accounts/${p}/tokens`],
    ["POST", `/v1/accounts/${p}/disable`],
    ["PUT", `/v1/accounts/${p}/password`],
    ["DELETE", `/v1/accounts/admin/tokens/${p}`],
    ["GET", `/v1/repositories?last=${encodeURIComponent(p)}`],
  ];
}

function checkAnswer(answer: RawAnswer, context: string): void {
  if (answer.status >= 500) {
    throw new Error(`${context}: ${answer.status} ${answer.body.toString().slice(0, 200)}`);
  }
  expect(answer.body.toString("latin1")).not.toContain(SENTINEL);
}

test("no /v2 request with a traversal in any position touches a file outside the data folder", async () => {
  for (const p of payloads()) {
    for (const [method, target] of v2Targets(p)) {
      const body = ["PUT", "PATCH", "POST"].includes(method) ? OVERWRITE : undefined;
      const headers = { Authorization: admin };
      const answer = await rawRequest(port, { method, target, headers, body });
      checkAnswer(answer, `${method} ${target}`);
    }
  }
  expect(readFileSync(join(parent, "sentinel"), "utf8")).toBe(SENTINEL);
  expect(outsideTree()).toEqual(outsideBefore);
  await expectRegistryAlive(port, { Authorization: admin });
}, 30_000);

test("no admin request with a traversal touches a file outside the data folder", async () => {
  for (const p of payloads()) {
    for (const [method, target] of v1Targets(p)) {
      const body = method === "PUT" ? JSON.stringify({ password: OVERWRITE }) : undefined;
      const headers = { Authorization: admin, "Content-Type": "application/json" };
      const answer = await rawRequest(port, { method, target, headers, body });
      checkAnswer(answer, `${method} ${target}`);
    }
    const created = await rawRequest(port, {
      method: "POST",
      target: "/v1/accounts",
      headers: { Authorization: admin, "Content-Type": "application/json" },
      body: JSON.stringify({ username: p, account_type: "system" }),
    });
    checkAnswer(created, `POST /v1/accounts ${p}`);
  }
  expect(readFileSync(join(parent, "sentinel"), "utf8")).toBe(SENTINEL);
  expect(outsideTree()).toEqual(outsideBefore);
  // The layer pushed at the start is still there: no traversal deleted it either.
  const layer = await rawRequest(port, {
    method: "GET",
    target: `/v2/team/app/blobs/${layerDigest}`,
    headers: { Authorization: admin },
  });
  expect(layer.body.toString()).toBe("layer bytes");
}, 30_000);

test("a snapshot is named by the server alone: a body naming a path is ignored", async () => {
  const answer = await rawRequest(port, {
    method: "POST",
    target: "/v1/snapshot",
    headers: { Authorization: admin, "Content-Type": "application/json" },
    body: JSON.stringify({ path: join(parent, "sentinel"), name: "../../sentinel", dir: parent }),
  });
  expect(answer.status).toBe(201);
  const snapshot = JSON.parse(answer.body.toString()) as { path: string };
  expect(snapshot.path).toMatch(/\/snapshots\/mcr-\d{8}T\d{6}\.\d{3}Z\.db$/);
  expect(snapshot.path.startsWith(join(registry.dataDir, "snapshots"))).toBe(true);
  expect(readFileSync(join(parent, "sentinel"), "utf8")).toBe(SENTINEL);
  expect(outsideTree()).toEqual(outsideBefore);
});

test("pruning old snapshots removes a link named like one, never what it points to", async () => {
  const dir = join(registry.dataDir, "snapshots");
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(parent, "sentinel"), join(dir, "mcr-20000101T000000Z.db"));
  writeFileSync(join(dir, "mcr-20000101T000000Z.db.keep"), "not a snapshot name");
  const service = new SnapshotService(
    { databasePath: registry.config.database.path, dir, keepDays: 1 },
    null,
  );

  const snapshot = await service.create(null);

  expect(snapshot.pruned).toEqual(["mcr-20000101T000000Z.db"]);
  expect(existsSync(join(dir, "mcr-20000101T000000Z.db.keep"))).toBe(true);
  expect(readFileSync(join(parent, "sentinel"), "utf8")).toBe(SENTINEL);
  expect(outsideTree()).toEqual(outsideBefore);
});

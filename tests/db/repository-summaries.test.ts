import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { type MetadataDatabase, openDatabase } from "../../src/db/database.ts";
import { insertManifest } from "../../src/db/manifests.ts";
import { ensureRepository } from "../../src/db/repositories.ts";
import { listRepositorySummaries } from "../../src/db/repository-summaries.ts";
import { setTag } from "../../src/db/tags.ts";
import { plainManifest } from "../helpers/manifest-rows.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

let folder: string;
let metadata: MetadataDatabase;

beforeEach(() => {
  folder = makeTempFolder("mcr-repository-summaries-");
  metadata = openDatabase({ path: join(folder, "mcr.db"), busyTimeoutMs: 1000 });
});
afterEach(async () => {
  await metadata.close();
  removeFolder(folder);
});

async function storeManifest(repositoryId: number, digest: string, at: number) {
  return insertManifest(metadata.db, plainManifest(repositoryId, digest), at);
}

async function lastPushOf(name: string) {
  const summaries = await listRepositorySummaries(metadata.db, { last: null, limit: 10 });
  return summaries.find((summary) => summary.name === name)?.lastPush;
}

test("the last push is a new manifest's arrival, or a tag pointed at one later", async () => {
  const { id } = await ensureRepository(metadata.db, "team/app");
  expect(await lastPushOf("team/app")).toBeNull();

  const manifest = await storeManifest(id, `sha256:${"a".repeat(64)}`, 1_000);
  await setTag(metadata.db, id, "v1", manifest, 1_000);
  expect(await lastPushOf("team/app")).toBe(1_000);

  // The same image pushed again under a new tag, and again under its old one.
  await setTag(metadata.db, id, "latest", manifest, 5_000);
  expect(await lastPushOf("team/app")).toBe(5_000);
  await setTag(metadata.db, id, "v1", manifest, 9_000);
  expect(await lastPushOf("team/app")).toBe(9_000);

  // An untagged manifest pushed by digest counts too.
  await storeManifest(id, `sha256:${"b".repeat(64)}`, 12_000);
  expect(await lastPushOf("team/app")).toBe(12_000);
});

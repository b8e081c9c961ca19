import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { type MetadataDatabase, openDatabase } from "../../src/db/database.ts";
import { ManifestLookup } from "../../src/db/manifest-lookup.ts";
import {
  findManifestByDigest,
  findManifestByTag,
  insertManifest,
  type StoredManifest,
} from "../../src/db/manifests.ts";
import { ensureRepository } from "../../src/db/repositories.ts";
import { setTag } from "../../src/db/tags.ts";
import { IMAGE_MANIFEST, plainManifest } from "../helpers/manifest-rows.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

let folder: string;
let metadata: MetadataDatabase;
let lookup: ManifestLookup;

beforeEach(() => {
  folder = makeTempFolder("mcr-manifest-lookup-");
  metadata = openDatabase({ path: join(folder, "mcr.db"), busyTimeoutMs: 1000 });
  lookup = new ManifestLookup(metadata.db, metadata.sqlite);
});
afterEach(async () => {
  await metadata.close();
  removeFolder(folder);
});

/** Stores a manifest in `repository` (not tagged); returns the ids. */
async function storeManifest(repository: string, digest: string) {
  const { id: repositoryId } = await ensureRepository(metadata.db, repository);
  const manifestId = await insertManifest(metadata.db, plainManifest(repositoryId, digest));
  return { repositoryId, manifestId };
}

test("reads what the kysely queries read, by tag and by digest", async () => {
  const digest = `sha256:${"a".repeat(64)}`;
  const { repositoryId, manifestId } = await storeManifest("team/app", digest);
  await setTag(metadata.db, repositoryId, "v1", manifestId);

  const byTag = await lookup.byTag("team/app", "v1");
  expect(byTag).toEqual(await findManifestByTag(metadata.db, "team/app", "v1"));
  expect(byTag?.digest).toBe(digest);
  expect(byTag?.mediaType).toBe(IMAGE_MANIFEST);
  expect(new TextDecoder().decode(byTag?.content)).toBe(`{"digest":"${digest}"}`);
  expect(byTag?.size).toBe(byTag?.content.byteLength ?? -1);
  expect(await lookup.byDigest("team/app", digest)).toEqual(
    await findManifestByDigest(metadata.db, "team/app", digest),
  );

  expect(await lookup.byTag("team/app", "v2")).toBeNull();
  expect(await lookup.byTag("team/other", "v1")).toBeNull();
  expect(await lookup.byDigest("team/app", `sha256:${"b".repeat(64)}`)).toBeNull();
});

test("never sees a transaction's uncommitted rows: a rolled-back tag stays unknown", async () => {
  const { repositoryId, manifestId } = await storeManifest("team/app", `sha256:${"c".repeat(64)}`);

  // The lookup starts while the transaction has written the tag but not committed it, as a
  // GET arriving during a manifest PUT would.
  let during: Promise<StoredManifest | null> | undefined;
  const rollback = metadata.db.transaction().execute(async (trx) => {
    await setTag(trx, repositoryId, "next", manifestId);
    during = lookup.byTag("team/app", "next");
    throw new Error("abandon the push");
  });
  await expect(rollback).rejects.toThrow("abandon the push");

  expect(await during).toBeNull();
  expect(metadata.sqlite.inTransaction).toBe(false);
});

test("a lookup made during a transaction answers with what it committed", async () => {
  const digest = `sha256:${"d".repeat(64)}`;
  const { repositoryId, manifestId } = await storeManifest("team/app", digest);

  let during: Promise<StoredManifest | null> | undefined;
  await metadata.db.transaction().execute(async (trx) => {
    during = lookup.byTag("team/app", "latest");
    await setTag(trx, repositoryId, "latest", manifestId);
  });

  expect((await during)?.digest).toBe(digest);
});

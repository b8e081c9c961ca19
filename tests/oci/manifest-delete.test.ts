import { afterAll, beforeAll, expect, test } from "bun:test";
import { pushImage, sha256 } from "../helpers/oci-client.ts";
import { expectEmptyBody, expectOciError, putManifest } from "../helpers/oci-expect.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startTestRegistry();
});
afterAll(() => registry.destroy());

function manifestUrl(name: string, reference: string) {
  return `${registry.url}/v2/${name}/manifests/${reference}`;
}

async function tagsOf(name: string) {
  const response = await fetch(`${registry.url}/v2/${name}/tags/list`);
  return ((await response.json()) as { tags: string[] }).tags;
}

test("DELETE by digest removes the manifest and every tag on it", async () => {
  const image = await pushImage(registry.url, "delete/digest", "v1");
  await putManifest(registry.url, "delete/digest", "latest", image.manifest);
  const keep = await pushImage(registry.url, "delete/digest", "keep", "keep");

  const response = await fetch(manifestUrl("delete/digest", image.digest), { method: "DELETE" });
  expect(response.status).toBe(202);
  await expectEmptyBody(response);

  for (const reference of [image.digest, "v1", "latest"]) {
    const get = await fetch(manifestUrl("delete/digest", reference));
    await expectOciError(get, 404, "MANIFEST_UNKNOWN");
  }
  expect(await tagsOf("delete/digest")).toEqual(["keep"]);
  expect((await fetch(manifestUrl("delete/digest", keep.digest))).status).toBe(200);
});

test("DELETE by tag removes only the tag; the manifest stays by digest", async () => {
  const image = await pushImage(registry.url, "delete/tag", "v1");
  await putManifest(registry.url, "delete/tag", "also", image.manifest);

  const response = await fetch(manifestUrl("delete/tag", "v1"), { method: "DELETE" });
  expect(response.status).toBe(202);

  await expectOciError(await fetch(manifestUrl("delete/tag", "v1")), 404, "MANIFEST_UNKNOWN");
  const byDigest = await fetch(manifestUrl("delete/tag", image.digest));
  expect(byDigest.status).toBe(200);
  expect(await byDigest.text()).toBe(image.manifest);
  expect(await tagsOf("delete/tag")).toEqual(["also"]);
});

test("a deleted manifest can be pushed again", async () => {
  const image = await pushImage(registry.url, "delete/again", "v1");
  await fetch(manifestUrl("delete/again", image.digest), { method: "DELETE" });
  const again = await putManifest(registry.url, "delete/again", "v1", image.manifest);
  expect(again.status).toBe(201);
  expect(await (await fetch(manifestUrl("delete/again", "v1"))).text()).toBe(image.manifest);
});

test("DELETE of an unknown tag or digest is 404 MANIFEST_UNKNOWN", async () => {
  await pushImage(registry.url, "delete/unknown", "v1");
  for (const reference of ["nope", sha256("never pushed")]) {
    const response = await fetch(manifestUrl("delete/unknown", reference), { method: "DELETE" });
    await expectOciError(response, 404, "MANIFEST_UNKNOWN");
  }
});

test("DELETE twice is 404 MANIFEST_UNKNOWN the second time", async () => {
  const image = await pushImage(registry.url, "delete/twice", "v1");
  const url = manifestUrl("delete/twice", image.digest);
  expect((await fetch(url, { method: "DELETE" })).status).toBe(202);
  await expectOciError(await fetch(url, { method: "DELETE" }), 404, "MANIFEST_UNKNOWN");
});

test("DELETE in an unknown repository is 404 NAME_UNKNOWN", async () => {
  const response = await fetch(manifestUrl("delete/never", "v1"), { method: "DELETE" });
  await expectOciError(response, 404, "NAME_UNKNOWN");
});

test("DELETE of an invalid tag is 404, of an invalid digest 400", async () => {
  await pushImage(registry.url, "delete/invalid", "v1");
  const tag = await fetch(manifestUrl("delete/invalid", "-bad"), { method: "DELETE" });
  await expectOciError(tag, 404, "MANIFEST_UNKNOWN");
  const digest = await fetch(manifestUrl("delete/invalid", "sha256:zz"), { method: "DELETE" });
  await expectOciError(digest, 400, "DIGEST_INVALID");
});

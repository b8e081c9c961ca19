import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { imageManifest, pushBlob } from "../helpers/oci-client.ts";
import { expectOciError, putManifest } from "../helpers/oci-expect.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

/**
 * A valid image manifest of exactly `size` bytes, naming blobs pushed to the repository:
 * an annotation pads it.
 */
async function manifestOfSize(registry: TestRegistry, name: string, size: number) {
  const config = "{}";
  const layer = "layer";
  const configDigest = await pushBlob(registry.url, name, config);
  const layerDigest = await pushBlob(registry.url, name, layer);
  const build = (padding: string) =>
    imageManifest({ digest: configDigest, size: config.length }, [
      { digest: layerDigest, size: layer.length },
    ]).replace(/}$/, `,"annotations":{"pad":"${padding}"}}`);
  const bare = build("").length;
  if (bare > size) throw new Error(`a manifest cannot be as small as ${size} bytes`);
  const manifest = build("x".repeat(size - bare));
  expect(manifest.length).toBe(size);
  return manifest;
}

/** The same bytes sent chunked, without a Content-Length, so only counting can catch them. */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 64 * 1024) {
        controller.enqueue(bytes.subarray(i, i + 64 * 1024));
      }
      controller.close();
    },
  });
}

describe("default limit of 4 MiB", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startTestRegistry();
  });
  afterAll(() => registry.destroy());

  test("a manifest of exactly 4 MiB is accepted", async () => {
    const manifest = await manifestOfSize(registry, "size/default", 4 * 1024 * 1024);
    const response = await putManifest(registry.url, "size/default", "max", manifest);
    expect(response.status).toBe(201);
  });

  test("a manifest over 4 MiB is 413 SIZE_INVALID and not stored", async () => {
    const manifest = await manifestOfSize(registry, "size/default", 4 * 1024 * 1024 + 1);
    const response = await putManifest(registry.url, "size/default", "big", manifest);
    await expectOciError(response, 413, "SIZE_INVALID");
    const get = await fetch(`${registry.url}/v2/size/default/manifests/big`);
    await expectOciError(get, 404, "MANIFEST_UNKNOWN");
  });

  test("a chunked manifest over 4 MiB is 413 too", async () => {
    const manifest = await manifestOfSize(registry, "size/default", 5 * 1024 * 1024);
    const response = await fetch(`${registry.url}/v2/size/default/manifests/chunked`, {
      method: "PUT",
      headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" },
      body: chunked(manifest),
    });
    await expectOciError(response, 413, "SIZE_INVALID");
  });
});

describe("MCR_STORAGE_MANIFEST_MAX_SIZE", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startTestRegistry({ env: { MCR_STORAGE_MANIFEST_MAX_SIZE: "1KiB" } });
  });
  afterAll(() => registry.destroy());

  test("a manifest of exactly the limit is accepted", async () => {
    const manifest = await manifestOfSize(registry, "size/env", 1024);
    expect((await putManifest(registry.url, "size/env", "max", manifest)).status).toBe(201);
  });

  test("one byte over the limit is 413 SIZE_INVALID", async () => {
    const manifest = await manifestOfSize(registry, "size/env", 1025);
    const response = await putManifest(registry.url, "size/env", "over", manifest);
    await expectOciError(response, 413, "SIZE_INVALID");
  });

  test("one byte over the limit sent chunked is 413 SIZE_INVALID", async () => {
    const manifest = await manifestOfSize(registry, "size/env", 1025);
    const response = await fetch(`${registry.url}/v2/size/env/manifests/chunked`, {
      method: "PUT",
      headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" },
      body: chunked(manifest),
    });
    await expectOciError(response, 413, "SIZE_INVALID");
  });
});

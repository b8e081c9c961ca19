/** Pushes to the shared repositories: blobs whole and in chunks, manifests by tag. */
import { imageManifest } from "../../helpers/oci-client.ts";
import { blobBytes, blobDigest, blobIndexOf, blobSize } from "./blob-pool.ts";
import type { LoadClient } from "./load-client.ts";
import { anyPoolBlob, pick } from "./load-world.ts";
import { check, locationPath, OCI_MANIFEST, type Operation, sha256 } from "./operation-kit.ts";

const OCTETS = { "Content-Type": "application/octet-stream" };

/** A blob pushed in one POST; the pool repeats blobs, so some are already stored. */
export const pushBlobWhole: Operation = async (client, world) => {
  const repository = world.anyRepository();
  const index = anyPoolBlob();
  const digest = blobDigest(index);
  const response = await client.expectAndDrain(
    `/v2/${repository.name}/blobs/uploads/?digest=${digest}`,
    201,
    { method: "POST", body: blobBytes(index), headers: OCTETS },
  );
  check(response.headers.get("docker-content-digest") === digest, `POST ${digest}: wrong digest`);
  world.addBlob(repository, digest);
};

/** A blob pushed as POST, two PATCHes with Content-Range, and a PUT with the last bytes. */
export const pushBlobChunked: Operation = async (client, world) => {
  const repository = world.anyRepository();
  const index = anyPoolBlob();
  await pushChunked(client, repository.name, index);
  world.addBlob(repository, blobDigest(index));
};

/** Pushes pool blob `index` to `repository` in three pieces. */
export async function pushChunked(client: LoadClient, repository: string, index: number) {
  const bytes = blobBytes(index);
  const digest = blobDigest(index);
  const started = await client.expectAndDrain(`/v2/${repository}/blobs/uploads/`, 202, {
    method: "POST",
  });
  let upload = locationPath(started, client.base);

  let offset = 0;
  for (const cut of [Math.floor(bytes.length / 3), Math.floor((2 * bytes.length) / 3)]) {
    const patched = await client.expectAndDrain(`${upload.pathname}${upload.search}`, 202, {
      method: "PATCH",
      headers: { ...OCTETS, "Content-Range": `${offset}-${cut - 1}` },
      body: bytes.subarray(offset, cut),
    });
    const range = patched.headers.get("range");
    check(range === `0-${cut - 1}`, `PATCH to ${cut}: Range ${range}`);
    upload = locationPath(patched, client.base);
    offset = cut;
  }

  upload.searchParams.set("digest", digest);
  const done = await client.expectAndDrain(`${upload.pathname}${upload.search}`, 201, {
    method: "PUT",
    headers: OCTETS,
    body: bytes.subarray(offset),
  });
  check(done.headers.get("docker-content-digest") === digest, `PUT ${digest}: wrong digest`);
}

/**
 * An image manifest naming two blobs. `variant` comes from a small range, so a long run
 * makes a bounded number of distinct manifests.
 */
export function manifestOf(configDigest: string, layerDigest: string, variant: number): string {
  return imageManifest(
    { digest: configDigest, size: blobSize(blobIndexOf(configDigest)) },
    [{ digest: layerDigest, size: blobSize(blobIndexOf(layerDigest)) }],
    { annotations: { "load.variant": String(variant) } },
  );
}

/** A manifest pushed by tag, moving one of the tags every worker pulls. */
export const pushManifest: Operation = async (client, world) => {
  const repository = world.anyRepository();
  const manifest = manifestOf(
    pick(repository.blobs),
    pick(repository.blobs),
    Math.floor(Math.random() * 64),
  );
  const tag = pick(repository.tags);
  const response = await client.expectAndDrain(`/v2/${repository.name}/manifests/${tag}`, 201, {
    method: "PUT",
    headers: { "Content-Type": OCI_MANIFEST },
    body: manifest,
  });
  const digest = sha256(manifest);
  check(response.headers.get("docker-content-digest") === digest, `PUT ${tag}: wrong digest`);
  world.addManifest(repository, digest);
};

/**
 * Work in a worker's own repository, which no other worker writes to: cross-repository
 * mounts, deletes and cancelled uploads, whose outcomes are certain only without a race.
 */
import { blobBytes } from "./blob-pool.ts";
import { anyPoolBlob, pick } from "./load-world.ts";
import {
  bytesOf,
  check,
  locationPath,
  OCI_MANIFEST,
  type Operation,
  sha256,
} from "./operation-kit.ts";
import { manifestOf } from "./push-operations.ts";

/** Links a blob of a shared repository into the worker's own without sending it. */
export const mountBlob: Operation = async (client, world, own) => {
  const source = world.anyRepository();
  const digest = pick(source.blobs);
  await client.expectAndDrain(
    `/v2/${own.name}/blobs/uploads/?mount=${digest}&from=${source.name}`,
    201,
    { method: "POST" },
  );
  await client.expectAndDrain(`/v2/${own.name}/blobs/${digest}`, 200, { method: "HEAD" });
};

/**
 * Mounts two blobs, pushes a manifest of them by a new tag, pulls it, deletes it and one of
 * its blobs, and checks that both are gone.
 */
export const deleteCycle: Operation = async (client, world, own) => {
  const source = world.anyRepository();
  const [config, layer] = [pick(source.blobs), pick(source.blobs)];
  for (const digest of new Set([config, layer])) {
    await client.expectAndDrain(
      `/v2/${own.name}/blobs/uploads/?mount=${digest}&from=${source.name}`,
      201,
      {
        method: "POST",
      },
    );
  }
  const manifest = manifestOf(config, layer, own.cycles);
  const digest = sha256(manifest);
  const tag = `cycle-${own.cycles++}`;
  await client.expectAndDrain(`/v2/${own.name}/manifests/${tag}`, 201, {
    method: "PUT",
    headers: { "Content-Type": OCI_MANIFEST },
    body: manifest,
  });
  const pulled = await client.expect(`/v2/${own.name}/manifests/${tag}`, 200, {
    headers: { Accept: OCI_MANIFEST },
  });
  check(sha256(await bytesOf(pulled)) === digest, `${own.name}:${tag} changed on the way`);

  await client.expectAndDrain(`/v2/${own.name}/manifests/${digest}`, 202, { method: "DELETE" });
  await client.expectAndDrain(`/v2/${own.name}/manifests/${tag}`, 404, { method: "HEAD" });
  await client.expectAndDrain(`/v2/${own.name}/blobs/${layer}`, 202, { method: "DELETE" });
  await client.expectAndDrain(`/v2/${own.name}/blobs/${layer}`, 404, { method: "HEAD" });
};

/** Opens an upload, sends a chunk, cancels it, and checks the session is gone. */
export const cancelUpload: Operation = async (client, _world, own) => {
  const started = await client.expectAndDrain(`/v2/${own.name}/blobs/uploads/`, 202, {
    method: "POST",
  });
  const upload = locationPath(started, client.base);
  const path = `${upload.pathname}${upload.search}`;
  const chunk = blobBytes(anyPoolBlob()).subarray(0, 512);
  await client.expectAndDrain(path, 202, {
    method: "PATCH",
    headers: { "Content-Type": "application/octet-stream", "Content-Range": "0-511" },
    body: chunk,
  });
  await client.expectAndDrain(path, 204, { method: "DELETE" });
  await client.expectAndDrain(path, 404);
};

/** Drops the worker's token and fetches a new one (a no-op for Basic clients). */
export const renewToken: Operation = async (client) => {
  client.renewToken();
  await client.expectAndDrain("/v2/", 200);
};

/** Pulls from the shared repositories: blobs whole and in ranges, manifests by tag and digest. */
import { blobBytes, blobIndexOf, blobSize } from "./blob-pool.ts";
import { pick } from "./load-world.ts";
import { bytesOf, check, OCI_MANIFEST, type Operation, sha256 } from "./operation-kit.ts";

export const pullBlob: Operation = async (client, world) => {
  const repository = world.anyRepository();
  const digest = pick(repository.blobs);
  const response = await client.expect(`/v2/${repository.name}/blobs/${digest}`, 200);
  const received = sha256(await bytesOf(response));
  check(received === digest, `blob ${digest} arrived as ${received}`);
};

export const pullBlobRange: Operation = async (client, world) => {
  const repository = world.anyRepository();
  const digest = pick(repository.blobs);
  const index = blobIndexOf(digest);
  const size = blobSize(index);
  const start = Math.floor(Math.random() * size);
  const end = Math.min(size - 1, start + Math.floor(Math.random() * 8192));
  const response = await client.expect(`/v2/${repository.name}/blobs/${digest}`, 206, {
    headers: { Range: `bytes=${start}-${end}` },
  });
  const range = response.headers.get("content-range");
  const received = await bytesOf(response);
  check(range === `bytes ${start}-${end}/${size}`, `Content-Range ${range} for ${start}-${end}`);
  const expected = blobBytes(index).subarray(start, end + 1);
  check(Buffer.from(received).equals(expected), `range ${start}-${end} of ${digest} differs`);
};

export const headBlob: Operation = async (client, world) => {
  const repository = world.anyRepository();
  const digest = pick(repository.blobs);
  const response = await client.expectAndDrain(`/v2/${repository.name}/blobs/${digest}`, 200, {
    method: "HEAD",
  });
  const length = Number(response.headers.get("content-length"));
  check(length === blobSize(blobIndexOf(digest)), `HEAD ${digest}: Content-Length ${length}`);
};

export const pullManifestByTag: Operation = async (client, world) => {
  const repository = world.anyRepository();
  const tag = pick(repository.tags);
  const response = await client.expect(`/v2/${repository.name}/manifests/${tag}`, 200, {
    headers: { Accept: OCI_MANIFEST },
  });
  const content = await bytesOf(response);
  // The tag may move while this runs; whichever manifest came, it must be the one named.
  const named = response.headers.get("docker-content-digest");
  check(sha256(content) === named, `${repository.name}:${tag} body does not hash to ${named}`);
  const parsed = JSON.parse(new TextDecoder().decode(content)) as { schemaVersion?: number };
  check(parsed.schemaVersion === 2, `${repository.name}:${tag} is not a manifest`);
};

export const pullManifestByDigest: Operation = async (client, world) => {
  const repository = world.anyRepository();
  const digest = pick(repository.manifests);
  const response = await client.expect(`/v2/${repository.name}/manifests/${digest}`, 200, {
    headers: { Accept: OCI_MANIFEST },
  });
  const received = sha256(await bytesOf(response));
  check(received === digest, `manifest ${digest} arrived as ${received}`);
};

export const headManifest: Operation = async (client, world) => {
  const repository = world.anyRepository();
  const reference = Math.random() < 0.5 ? pick(repository.tags) : pick(repository.manifests);
  const response = await client.expectAndDrain(
    `/v2/${repository.name}/manifests/${reference}`,
    200,
    {
      method: "HEAD",
      headers: { Accept: OCI_MANIFEST },
    },
  );
  const digest = response.headers.get("docker-content-digest") ?? "";
  check(/^sha256:[0-9a-f]{64}$/.test(digest), `HEAD ${reference}: digest ${digest}`);
  if (reference.startsWith("sha256:")) check(digest === reference, `HEAD ${reference}: ${digest}`);
};

export const listTags: Operation = async (client, world) => {
  const repository = world.anyRepository();
  const response = await client.expect(`/v2/${repository.name}/tags/list`, 200);
  const { tags } = (await response.json()) as { tags?: string[] };
  for (const tag of repository.tags) {
    check(tags?.includes(tag) === true, `${repository.name} tags/list lacks ${tag}`);
  }
};

export const listCatalog: Operation = async (client, world) => {
  const response = await client.expect("/v2/_catalog?n=100", 200);
  const { repositories } = (await response.json()) as { repositories?: string[] };
  // Names sort with the shared repositories first ("load/s" < "load/w").
  const first = world.repositories[0]?.name ?? "";
  check(repositories?.includes(first) === true, `the catalog lacks ${first}`);
};

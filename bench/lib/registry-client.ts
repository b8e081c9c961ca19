import { CHUNK_BYTES, digestOf, fileOf, streamOf } from "./blob-data.ts";

/** The few /v2 calls the benchmarks make, written against the spec so both servers take them. */

async function expectStatus(response: Response, status: number, what: string) {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status} ${await response.text()}`);
  }
  await response.arrayBuffer();
}

async function openUpload(base: string, repository: string): Promise<URL> {
  const response = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: "POST" });
  await expectStatus(response, 202, "POST upload");
  return new URL(response.headers.get("location") ?? "", base);
}

/** One PUT carrying the whole blob, streamed (the client never holds it in memory). */
export async function pushMonolithic(base: string, repository: string, seed: number, mib: number) {
  const location = await openUpload(base, repository);
  location.searchParams.set("digest", digestOf(seed, mib));
  const response = await fetch(location, {
    method: "PUT",
    headers: {
      "Content-Type": "application/octet-stream",
      "Content-Length": String(mib * CHUNK_BYTES),
    },
    body: streamOf(seed, 0, mib),
  });
  await expectStatus(response, 201, "PUT blob");
}

/**
 * The same single PUT sent by curl from a file in the page cache, returning curl's upload
 * speed in MiB/s: a client that costs almost nothing, where the Bun client above generates
 * every byte on the cores the servers share.
 */
export async function pushWithCurl(
  base: string,
  repository: string,
  seed: number,
  mib: number,
): Promise<number> {
  const file = fileOf(seed, mib);
  const location = await openUpload(base, repository);
  location.searchParams.set("digest", digestOf(seed, mib));
  const curl = Bun.spawn(
    [
      "curl",
      "--silent",
      "--upload-file",
      file,
      "--header",
      "Content-Type: application/octet-stream",
      "--output",
      "/dev/null",
      "--write-out",
      "%{http_code} %{speed_upload}",
      location.href,
    ],
    { stdout: "pipe", stderr: "ignore" },
  );
  const [status, speed] = (await new Response(curl.stdout).text()).split(" ").map(Number);
  const exitCode = await curl.exited;
  if (status !== 201) throw new Error(`curl PUT blob: ${status} (exit ${exitCode})`);
  return (speed ?? 0) / CHUNK_BYTES;
}

/** PATCHes of `chunkMib` each, then a PUT with the digest and no body. */
export async function pushChunked(
  base: string,
  repository: string,
  seed: number,
  mib: number,
  chunkMib: number,
) {
  let location = await openUpload(base, repository);
  for (let from = 0; from < mib; from += chunkMib) {
    const to = Math.min(mib, from + chunkMib);
    const response = await fetch(location, {
      method: "PATCH",
      headers: {
        "Content-Type": "application/octet-stream",
        "Content-Range": `${from * CHUNK_BYTES}-${to * CHUNK_BYTES - 1}`,
        "Content-Length": String((to - from) * CHUNK_BYTES),
      },
      body: streamOf(seed, from, to),
    });
    await expectStatus(response, 202, "PATCH chunk");
    location = new URL(response.headers.get("location") ?? "", base);
  }
  location.searchParams.set("digest", digestOf(seed, mib));
  await expectStatus(await fetch(location, { method: "PUT" }), 201, "PUT to close");
}

/** GETs a blob (whole, or `range` as an HTTP Range value) and returns the bytes read. */
export async function pullBlob(
  base: string,
  repository: string,
  digest: string,
  range?: string,
): Promise<number> {
  const response = await fetch(`${base}/v2/${repository}/blobs/${digest}`, {
    headers: range ? { Range: range } : {},
  });
  if (response.status !== (range ? 206 : 200)) {
    throw new Error(`GET blob: ${response.status} ${await response.text()}`);
  }
  let bytes = 0;
  for await (const chunk of response.body ?? []) bytes += chunk.length;
  return bytes;
}

/** Uploads small bytes in one POST+PUT; returns their digest. */
export async function pushSmallBlob(base: string, repository: string, bytes: Uint8Array) {
  const digest = `sha256:${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}`;
  const location = await openUpload(base, repository);
  location.searchParams.set("digest", digest);
  await expectStatus(
    await fetch(location, {
      method: "PUT",
      headers: { "Content-Type": "application/octet-stream" },
      body: bytes,
    }),
    201,
    "PUT small blob",
  );
  return { digest, size: bytes.length };
}

/** Links a blob of repository `from` into `repository` (a cross-repository mount). */
export async function mountBlob(base: string, repository: string, from: string, digest: string) {
  const response = await fetch(
    `${base}/v2/${repository}/blobs/uploads/?mount=${digest}&from=${from}`,
    { method: "POST" },
  );
  await expectStatus(response, 201, "mount");
}

/** A one-layer OCI image manifest over blobs already pushed. */
export function imageManifest(
  config: { digest: string; size: number },
  layer: { digest: string; size: number },
): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...layer }],
  });
}

export async function putManifest(
  base: string,
  repository: string,
  reference: string,
  manifest: string,
) {
  const response = await fetch(`${base}/v2/${repository}/manifests/${reference}`, {
    method: "PUT",
    headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" },
    body: manifest,
  });
  await expectStatus(response, 201, `PUT manifest ${repository}:${reference}`);
}

/** Pushes a small one-layer image as `repository:tag`; returns its manifest and blobs. */
export async function pushSmallImage(base: string, repository: string, tag: string) {
  const config = await pushSmallBlob(
    base,
    repository,
    new TextEncoder().encode(JSON.stringify({ architecture: "amd64", os: "linux" })),
  );
  const layer = await pushSmallBlob(base, repository, crypto.getRandomValues(new Uint8Array(4096)));
  const manifest = imageManifest(config, layer);
  await putManifest(base, repository, tag, manifest);
  return { manifest, config, layer };
}

/** Runs `work(i)` for i in [0, count) with at most `concurrency` running at once. */
export async function inParallel(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<void>,
) {
  let next = 0;
  const workers = Array.from({ length: Math.min(count, concurrency) }, async () => {
    while (next < count) {
      const index = next++;
      await work(index);
    }
  });
  await Promise.all(workers);
}

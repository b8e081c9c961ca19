/** Small helpers for driving the /v2 API in tests, with fetch and nothing else. */

/** sha256 digest of some bytes, as `sha256:<hex>`. */
export function sha256(data: Uint8Array | string): string {
  return `sha256:${new Bun.CryptoHasher("sha256").update(data).digest("hex")}`;
}

/** Uploads a blob with POST + PUT and returns its digest; throws unless the answer is 201. */
export async function pushBlob(base: string, name: string, data: Uint8Array | string) {
  const digest = sha256(data);
  const start = await fetch(`${base}/v2/${name}/blobs/uploads/`, { method: "POST" });
  if (start.status !== 202) throw new Error(`POST upload: ${start.status}`);
  const location = new URL(start.headers.get("location") ?? "", base);
  location.searchParams.set("digest", digest);
  const done = await fetch(location, { method: "PUT", body: data });
  if (done.status !== 201) throw new Error(`PUT upload: ${done.status} ${await done.text()}`);
  return digest;
}

/** An OCI image manifest naming a config and layers by digest. */
export function imageManifest(
  config: { digest: string; size: number; mediaType?: string },
  layers: Array<{ digest: string; size: number }>,
  extra: Record<string, unknown> = {},
) {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
    layers: layers.map((layer) => ({
      mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
      ...layer,
    })),
    ...extra,
  });
}

/** Pushes a one-layer image and returns the manifest's digest and bytes. */
export async function pushImage(base: string, name: string, tag: string, seed = tag) {
  const config = JSON.stringify({ architecture: "amd64", os: "linux", seed });
  const layer = `layer of ${name}:${seed}`;
  const configDigest = await pushBlob(base, name, config);
  const layerDigest = await pushBlob(base, name, layer);
  const manifest = imageManifest({ digest: configDigest, size: config.length }, [
    { digest: layerDigest, size: layer.length },
  ]);
  const response = await fetch(`${base}/v2/${name}/manifests/${tag}`, {
    method: "PUT",
    headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" },
    body: manifest,
  });
  if (response.status !== 201) throw new Error(`PUT manifest: ${response.status}`);
  return { digest: sha256(manifest), manifest, configDigest, layerDigest };
}

/** The first OCI error code of an error response. */
export async function errorCode(response: Response): Promise<string | undefined> {
  const body = (await response.json()) as { errors?: Array<{ code: string }> };
  return body.errors?.[0]?.code;
}

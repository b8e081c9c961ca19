/**
 * A small multi-arch image built in memory: two platform images, the index over them, and a
 * signature that refers to the index (as cosign would attach one). Pushed with fetch for the
 * handler tests, or written as an OCI image layout for skopeo.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "./oci-client.ts";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
const OCI_EMPTY = "application/vnd.oci.empty.v1+json";
export const SIGNATURE_TYPE = "application/vnd.dev.cosign.artifact.sig.v1+json";

/** The platforms of the index. */
export const PLATFORMS = [
  { os: "linux", architecture: "amd64" },
  { os: "linux", architecture: "arm64", variant: "v8" },
];

/** A manifest and the bytes it was pushed as. */
export interface BuiltManifest {
  digest: string;
  mediaType: string;
  content: string;
}

/** Everything the image consists of. */
export interface MultiArchImage {
  blobs: Map<string, Uint8Array>;
  /** The signature's own blobs: its empty config and its payload. */
  signatureBlobs: Map<string, Uint8Array>;
  children: BuiltManifest[];
  index: BuiltManifest;
  signature: BuiltManifest;
}

/** Builds the image; `seed` makes its digests differ from another built with another seed. */
export function buildMultiArchImage(seed: string): MultiArchImage {
  const blobs = new Map<string, Uint8Array>();
  const signatureBlobs = new Map<string, Uint8Array>();
  const addBlob = (data: Uint8Array | string, into = blobs) => {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const digest = sha256(bytes);
    into.set(digest, bytes);
    return { digest, size: bytes.length };
  };
  const manifest = (mediaType: string, document: object): BuiltManifest => {
    const content = JSON.stringify({ schemaVersion: 2, mediaType, ...document });
    return { digest: sha256(content), mediaType, content };
  };

  const children = PLATFORMS.map((platform) => {
    const config = addBlob(
      JSON.stringify({ ...platform, config: { Cmd: ["/app"] }, rootfs: { type: "layers" }, seed }),
    );
    const layer = addBlob(
      Bun.gzipSync(new TextEncoder().encode(`${seed} ${platform.architecture}`)),
    );
    return manifest(OCI_MANIFEST, {
      config: { mediaType: OCI_CONFIG, ...config },
      layers: [{ mediaType: OCI_LAYER, ...layer }],
      annotations: { "org.opencontainers.image.title": `${seed} for ${platform.architecture}` },
    });
  });
  const index = manifest(OCI_INDEX, {
    manifests: children.map((child, position) => ({
      mediaType: child.mediaType,
      digest: child.digest,
      size: child.content.length,
      platform: PLATFORMS[position],
    })),
    annotations: { "org.opencontainers.image.source": `https://example.test/${seed}` },
  });

  const empty = addBlob("{}", signatureBlobs);
  const payload = addBlob(JSON.stringify({ critical: { image: index.digest } }), signatureBlobs);
  const signature = manifest(OCI_MANIFEST, {
    artifactType: SIGNATURE_TYPE,
    config: { mediaType: OCI_EMPTY, ...empty },
    layers: [{ mediaType: "application/vnd.dev.cosign.simplesigning.v1+json", ...payload }],
    subject: { mediaType: OCI_INDEX, digest: index.digest, size: index.content.length },
    annotations: { "dev.cosignproject.cosign/signature": "test-signature" },
  });
  return { blobs, signatureBlobs, children, index, signature };
}

/** Pushes the image with its index tagged `tag`, and the signature, as `authorization`. */
export async function pushMultiArchImage(
  base: string,
  name: string,
  tag: string,
  authorization: string | null,
  image = buildMultiArchImage(`${name}:${tag}`),
): Promise<MultiArchImage> {
  for (const [digest, bytes] of image.blobs) {
    await uploadBlob(base, name, digest, bytes, authorization);
  }
  for (const child of image.children) {
    await putManifest(base, name, child.digest, child, authorization);
  }
  await putManifest(base, name, tag, image.index, authorization);
  await pushSignature(base, name, image, authorization);
  return image;
}

/** Pushes only the signature, for an image another client (skopeo) has pushed. */
export async function pushSignature(
  base: string,
  name: string,
  image: MultiArchImage,
  authorization: string | null,
): Promise<void> {
  for (const [digest, bytes] of image.signatureBlobs) {
    await uploadBlob(base, name, digest, bytes, authorization);
  }
  await putManifest(base, name, image.signature.digest, image.signature, authorization);
}

async function uploadBlob(
  base: string,
  name: string,
  digest: string,
  bytes: Uint8Array,
  authorization: string | null,
): Promise<void> {
  const headers: Record<string, string> = authorization ? { Authorization: authorization } : {};
  const start = await fetch(`${base}/v2/${name}/blobs/uploads/`, { method: "POST", headers });
  if (start.status !== 202) throw new Error(`blob upload start: ${start.status}`);
  const location = new URL(start.headers.get("location") ?? "", base);
  location.searchParams.set("digest", digest);
  const put = await fetch(location, { method: "PUT", headers, body: bytes });
  if (put.status !== 201) throw new Error(`blob upload: ${put.status}`);
}

async function putManifest(
  base: string,
  name: string,
  reference: string,
  manifest: BuiltManifest,
  authorization: string | null,
): Promise<void> {
  const headers: Record<string, string> = { "Content-Type": manifest.mediaType };
  if (authorization) headers.Authorization = authorization;
  const response = await fetch(`${base}/v2/${name}/manifests/${reference}`, {
    method: "PUT",
    headers,
    body: manifest.content,
  });
  if (response.status !== 201) {
    throw new Error(`PUT manifest ${reference}: ${response.status} ${await response.text()}`);
  }
}

/** Writes the image (without the signature) as an OCI image layout, its index tagged `tag`. */
export function writeOciLayout(folder: string, tag: string, image: MultiArchImage): void {
  const blobFolder = join(folder, "blobs", "sha256");
  mkdirSync(blobFolder, { recursive: true });
  const write = (digest: string, data: Uint8Array | string) =>
    writeFileSync(join(blobFolder, digest.slice("sha256:".length)), data);
  for (const [digest, bytes] of image.blobs) write(digest, bytes);
  for (const manifest of [...image.children, image.index]) write(manifest.digest, manifest.content);
  writeFileSync(join(folder, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(folder, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_INDEX,
          digest: image.index.digest,
          size: image.index.content.length,
          annotations: { "org.opencontainers.image.ref.name": tag },
        },
      ],
    }),
  );
}

import { afterAll, beforeAll, expect, test } from "bun:test";
import { imageManifest, pushBlob, pushImage, sha256 } from "../helpers/oci-client.ts";
import { expectOciError, putManifest } from "../helpers/oci-expect.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startTestRegistry();
});
afterAll(() => registry.destroy());

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const SBOM = "application/vnd.example.sbom.v1";
const SIGNATURE_CONFIG = "application/vnd.example.signature.config.v1+json";

interface ReferrersIndex {
  schemaVersion: number;
  mediaType: string;
  manifests: Array<{
    mediaType: string;
    digest: string;
    size: number;
    artifactType?: string;
    annotations?: Record<string, string>;
  }>;
}

function referrersUrl(name: string, digest: string, query = "") {
  return `${registry.url}/v2/${name}/referrers/${digest}${query}`;
}

async function referrers(name: string, digest: string, query = "") {
  const response = await fetch(referrersUrl(name, digest, query));
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe(OCI_INDEX);
  const index = (await response.json()) as ReferrersIndex;
  expect(index.schemaVersion).toBe(2);
  expect(index.mediaType).toBe(OCI_INDEX);
  return { index, filters: response.headers.get("oci-filters-applied") };
}

/**
 * Pushes an artifact manifest whose subject is `subject`, by digest. With no artifactType
 * its config's media type is what the referrers API must report.
 */
async function pushReferrer(
  name: string,
  subject: { digest: string; size: number },
  options: { artifactType?: string; configType?: string; annotations?: Record<string, string> },
) {
  const config = await pushBlob(registry.url, name, "{}");
  const layer = `payload ${JSON.stringify(options)}`;
  const layerDigest = await pushBlob(registry.url, name, layer);
  const extra: Record<string, unknown> = {
    subject: { mediaType: OCI_MANIFEST, ...subject },
  };
  if (options.artifactType) extra.artifactType = options.artifactType;
  if (options.annotations) extra.annotations = options.annotations;
  const manifest = imageManifest(
    {
      digest: config,
      size: 2,
      mediaType: options.configType ?? "application/vnd.oci.empty.v1+json",
    },
    [{ digest: layerDigest, size: layer.length }],
    extra,
  );
  const response = await putManifest(registry.url, name, sha256(manifest), manifest);
  expect(response.status).toBe(201);
  expect(response.headers.get("oci-subject")).toBe(subject.digest);
  return { digest: sha256(manifest), size: manifest.length };
}

test("a manifest without referrers gets an empty image index", async () => {
  const image = await pushImage(registry.url, "referrers/none", "v1");
  const { index, filters } = await referrers("referrers/none", image.digest);
  expect(index.manifests).toEqual([]);
  expect(filters).toBeNull();
});

test("a digest that is no manifest, or an unknown repository, gets an empty index", async () => {
  await pushImage(registry.url, "referrers/none", "v1");
  const missing = sha256("nothing");
  expect((await referrers("referrers/none", missing)).index.manifests).toEqual([]);
  expect((await referrers("referrers/never", missing)).index.manifests).toEqual([]);
});

test("lists referrers with artifactType, config type fallback and annotations", async () => {
  const image = await pushImage(registry.url, "referrers/app", "v1");
  const subject = { digest: image.digest, size: image.manifest.length };
  const sbom = await pushReferrer("referrers/app", subject, {
    artifactType: SBOM,
    annotations: { "org.opencontainers.image.created": "2024-01-01T00:00:00Z" },
  });
  const signature = await pushReferrer("referrers/app", subject, { configType: SIGNATURE_CONFIG });

  const { index } = await referrers("referrers/app", image.digest);
  const byDigest = Object.fromEntries(index.manifests.map((entry) => [entry.digest, entry]));
  expect(index.manifests).toHaveLength(2);
  expect(byDigest[sbom.digest]).toEqual({
    mediaType: OCI_MANIFEST,
    digest: sbom.digest,
    size: sbom.size,
    artifactType: SBOM,
    annotations: { "org.opencontainers.image.created": "2024-01-01T00:00:00Z" },
  });
  expect(byDigest[signature.digest]).toEqual({
    mediaType: OCI_MANIFEST,
    digest: signature.digest,
    size: signature.size,
    artifactType: SIGNATURE_CONFIG,
  });
});

test("an index with a subject is listed with its artifactType", async () => {
  const image = await pushImage(registry.url, "referrers/index", "v1");
  const child = await pushImage(registry.url, "referrers/index", "child", "child");
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    artifactType: "application/vnd.example.bundle",
    manifests: [{ mediaType: OCI_MANIFEST, digest: child.digest, size: child.manifest.length }],
    subject: { mediaType: OCI_MANIFEST, digest: image.digest, size: image.manifest.length },
  });
  const pushed = await putManifest(registry.url, "referrers/index", "bundle", manifest, OCI_INDEX);
  expect(pushed.status).toBe(201);

  const { index } = await referrers("referrers/index", image.digest);
  expect(index.manifests).toEqual([
    {
      mediaType: OCI_INDEX,
      digest: sha256(manifest),
      size: manifest.length,
      artifactType: "application/vnd.example.bundle",
    },
  ]);
});

test("referrers pushed before their subject are listed", async () => {
  const subject = { digest: sha256("subject pushed later"), size: 20 };
  const early = await pushReferrer("referrers/early", subject, { artifactType: SBOM });
  const { index } = await referrers("referrers/early", subject.digest);
  expect(index.manifests.map((entry) => entry.digest)).toEqual([early.digest]);
});

test("?artifactType= filters, and says so in OCI-Filters-Applied", async () => {
  const image = await pushImage(registry.url, "referrers/filter", "v1");
  const subject = { digest: image.digest, size: image.manifest.length };
  const sbom = await pushReferrer("referrers/filter", subject, { artifactType: SBOM });
  await pushReferrer("referrers/filter", subject, { configType: SIGNATURE_CONFIG });

  const filtered = await referrers("referrers/filter", image.digest, `?artifactType=${SBOM}`);
  expect(filtered.filters).toBe("artifactType");
  expect(filtered.index.manifests.map((entry) => entry.digest)).toEqual([sbom.digest]);

  const byConfig = await referrers(
    "referrers/filter",
    image.digest,
    `?artifactType=${encodeURIComponent(SIGNATURE_CONFIG)}`,
  );
  expect(byConfig.index.manifests).toHaveLength(1);

  const none = await referrers(
    "referrers/filter",
    image.digest,
    "?artifactType=application/x-none",
  );
  expect(none.filters).toBe("artifactType");
  expect(none.index.manifests).toEqual([]);
});

test("a deleted referrer disappears from the list", async () => {
  const image = await pushImage(registry.url, "referrers/delete", "v1");
  const subject = { digest: image.digest, size: image.manifest.length };
  const kept = await pushReferrer("referrers/delete", subject, { artifactType: SBOM });
  const gone = await pushReferrer("referrers/delete", subject, { configType: SIGNATURE_CONFIG });

  const url = `${registry.url}/v2/referrers/delete/manifests/${gone.digest}`;
  expect((await fetch(url, { method: "DELETE" })).status).toBe(202);
  const { index } = await referrers("referrers/delete", image.digest);
  expect(index.manifests.map((entry) => entry.digest)).toEqual([kept.digest]);
});

test("referrers in another repository are not listed", async () => {
  const subject = { digest: sha256("shared subject"), size: 14 };
  await pushReferrer("referrers/one", subject, { artifactType: SBOM });
  expect((await referrers("referrers/two", subject.digest)).index.manifests).toEqual([]);
});

test("an invalid digest is 400 DIGEST_INVALID", async () => {
  await pushImage(registry.url, "referrers/none", "v1");
  for (const digest of ["sha256:abc", "latest", `sha999:${"a".repeat(64)}`]) {
    const response = await fetch(referrersUrl("referrers/none", digest));
    await expectOciError(response, 400, "DIGEST_INVALID");
  }
});

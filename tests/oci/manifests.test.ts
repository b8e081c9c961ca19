import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { imageManifest, pushBlob, pushImage, sha256 } from "../helpers/oci-client.ts";
import { expectEmptyBody, expectOciError, putManifest } from "../helpers/oci-expect.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startTestRegistry();
});
afterAll(() => registry.destroy());

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

function manifestUrl(name: string, reference: string) {
  return `${registry.url}/v2/${name}/manifests/${reference}`;
}

/** Pushes a config and a layer to the repository and returns their descriptors. */
async function pushParts(name: string, seed: string) {
  const config = JSON.stringify({ architecture: "amd64", os: "linux", seed });
  const layer = `layer bytes ${seed}`;
  return {
    config: { digest: await pushBlob(registry.url, name, config), size: config.length },
    layer: { digest: await pushBlob(registry.url, name, layer), size: layer.length },
  };
}

/** An index (or Docker manifest list) naming the given manifests. */
function index(children: Array<{ digest: string; size: number }>, mediaType = OCI_INDEX) {
  const childType = mediaType === OCI_INDEX ? OCI_MANIFEST : DOCKER_MANIFEST;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType,
    manifests: children.map((child, i) => ({
      mediaType: childType,
      ...child,
      platform: { architecture: i === 0 ? "amd64" : "arm64", os: "linux" },
    })),
  });
}

async function tagsOf(name: string) {
  const response = await fetch(`${registry.url}/v2/${name}/tags/list`);
  if (response.status !== 200) return null;
  return ((await response.json()) as { tags: string[] }).tags;
}

describe("GET and HEAD", () => {
  let image: Awaited<ReturnType<typeof pushImage>>;
  beforeAll(async () => {
    image = await pushImage(registry.url, "manifests/pull", "v1");
  });

  test("GET by tag and by digest returns the pushed bytes, type and digest", async () => {
    for (const reference of ["v1", image.digest]) {
      const response = await fetch(manifestUrl("manifests/pull", reference));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(OCI_MANIFEST);
      expect(response.headers.get("docker-content-digest")).toBe(image.digest);
      expect(response.headers.get("content-length")).toBe(String(image.manifest.length));
      expect(await response.text()).toBe(image.manifest);
    }
  });

  test("the pushed Content-Type is served whatever the Accept header", async () => {
    const accepts = [undefined, "*/*", DOCKER_MANIFEST, `${OCI_INDEX}, ${DOCKER_LIST}`];
    for (const accept of accepts) {
      const headers: Record<string, string> = accept ? { Accept: accept } : {};
      const response = await fetch(manifestUrl("manifests/pull", "v1"), { headers });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(OCI_MANIFEST);
      expect(await response.text()).toBe(image.manifest);
    }
  });

  test("HEAD by tag and by digest has Content-Length, digest and type, and no body", async () => {
    for (const reference of ["v1", image.digest]) {
      const response = await fetch(manifestUrl("manifests/pull", reference), {
        method: "HEAD",
        headers: { Accept: DOCKER_MANIFEST },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-length")).toBe(String(image.manifest.length));
      expect(response.headers.get("docker-content-digest")).toBe(image.digest);
      expect(response.headers.get("content-type")).toBe(OCI_MANIFEST);
      await expectEmptyBody(response);
    }
  });

  test("an unknown tag or digest is 404 MANIFEST_UNKNOWN", async () => {
    for (const reference of ["nope", sha256("no such manifest")]) {
      const response = await fetch(manifestUrl("manifests/pull", reference));
      await expectOciError(response, 404, "MANIFEST_UNKNOWN");
      const head = await fetch(manifestUrl("manifests/pull", reference), { method: "HEAD" });
      expect(head.status).toBe(404);
      await expectEmptyBody(head);
    }
  });

  test("a manifest is not readable through another repository", async () => {
    await pushImage(registry.url, "manifests/other", "v1", "other");
    const response = await fetch(manifestUrl("manifests/other", image.digest));
    await expectOciError(response, 404, "MANIFEST_UNKNOWN");
  });

  test("an unknown repository is 404 NAME_UNKNOWN", async () => {
    const response = await fetch(manifestUrl("manifests/never", "latest"));
    await expectOciError(response, 404, "NAME_UNKNOWN");
    const head = await fetch(manifestUrl("manifests/never", "latest"), { method: "HEAD" });
    expect(head.status).toBe(404);
  });

  test("an invalid tag is 404 (no manifest can have it) and an invalid digest 400 DIGEST_INVALID", async () => {
    // The conformance suite reads ".INVALID_MANIFEST_NAME" and expects 404.
    for (const tag of ["-dash", ".dot", "t".repeat(129), "a+b", ".INVALID_MANIFEST_NAME"]) {
      const response = await fetch(manifestUrl("manifests/pull", tag));
      await expectOciError(response, 404, "MANIFEST_UNKNOWN");
      const head = await fetch(manifestUrl("manifests/pull", tag), { method: "HEAD" });
      expect(head.status).toBe(404);
    }
    const digest = await fetch(manifestUrl("manifests/pull", "sha256:123"));
    await expectOciError(digest, 400, "DIGEST_INVALID");
  });

  test("a tag of 128 characters is valid", async () => {
    const tag = `a${"b".repeat(127)}`;
    expect((await putManifest(registry.url, "manifests/pull", tag, image.manifest)).status).toBe(
      201,
    );
    expect(await (await fetch(manifestUrl("manifests/pull", tag))).text()).toBe(image.manifest);
  });
});

describe("PUT", () => {
  test("by tag: 201 with Location and Docker-Content-Digest", async () => {
    const { config, layer } = await pushParts("manifests/put", "tag");
    const manifest = imageManifest(config, [layer]);
    const response = await putManifest(registry.url, "manifests/put", "latest", manifest);
    expect(response.status).toBe(201);
    expect(response.headers.get("docker-content-digest")).toBe(sha256(manifest));
    expect(response.headers.get("location")).toEndWith(
      `/v2/manifests/put/manifests/${sha256(manifest)}`,
    );
    expect(response.headers.get("oci-subject")).toBeNull();
    await expectEmptyBody(response);
  });

  test("by digest: 201, readable by digest, no tag created", async () => {
    const { config, layer } = await pushParts("manifests/by-digest", "digest");
    const manifest = imageManifest(config, [layer]);
    const digest = sha256(manifest);
    const response = await putManifest(registry.url, "manifests/by-digest", digest, manifest);
    expect(response.status).toBe(201);
    expect(response.headers.get("docker-content-digest")).toBe(digest);
    expect(await (await fetch(manifestUrl("manifests/by-digest", digest))).text()).toBe(manifest);
    expect(await tagsOf("manifests/by-digest")).toEqual([]);
  });

  test("by a digest that does not match the content: 400 DIGEST_INVALID, nothing stored", async () => {
    const { config, layer } = await pushParts("manifests/put", "mismatch");
    const manifest = imageManifest(config, [layer]);
    const claimed = sha256("something else");
    const response = await putManifest(registry.url, "manifests/put", claimed, manifest);
    await expectOciError(response, 400, "DIGEST_INVALID");
    for (const reference of [claimed, sha256(manifest)]) {
      const get = await fetch(manifestUrl("manifests/put", reference));
      await expectOciError(get, 404, "MANIFEST_UNKNOWN");
    }
  });

  test("pushing the same manifest twice is 201 both times", async () => {
    const image = await pushImage(registry.url, "manifests/put", "twice");
    const again = await putManifest(registry.url, "manifests/put", "twice", image.manifest);
    expect(again.status).toBe(201);
    expect(again.headers.get("docker-content-digest")).toBe(image.digest);
  });

  test("a tag moves to the manifest pushed last; the old one stays by digest", async () => {
    const first = await pushImage(registry.url, "manifests/move", "stable", "first");
    const second = await pushImage(registry.url, "manifests/move", "stable", "second");
    expect(first.digest).not.toBe(second.digest);

    const byTag = await fetch(manifestUrl("manifests/move", "stable"));
    expect(byTag.headers.get("docker-content-digest")).toBe(second.digest);
    expect(await byTag.text()).toBe(second.manifest);
    const old = await fetch(manifestUrl("manifests/move", first.digest));
    expect(await old.text()).toBe(first.manifest);
    expect(await tagsOf("manifests/move")).toEqual(["stable"]);
  });

  test("concurrent pushes of one image under many tags all succeed", async () => {
    const tags = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const images = await Promise.all(
      tags.map((tag) => pushImage(registry.url, "manifests/concurrent", tag, "same")),
    );
    expect(new Set(images.map((image) => image.digest)).size).toBe(1);
    expect((await tagsOf("manifests/concurrent"))?.length).toBe(tags.length);
  });

  test("without Content-Type the body's mediaType decides the type", async () => {
    const { config, layer } = await pushParts("manifests/put", "no-type");
    const manifest = imageManifest(config, [layer]);
    const response = await fetch(manifestUrl("manifests/put", "no-type"), {
      method: "PUT",
      body: new TextEncoder().encode(manifest),
    });
    expect(response.status).toBe(201);
    const get = await fetch(manifestUrl("manifests/put", "no-type"));
    expect(get.headers.get("content-type")).toBe(OCI_MANIFEST);
  });

  test("a layer marked non-distributable need not be pushed", async () => {
    const { config } = await pushParts("manifests/put", "foreign");
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
      layers: [
        {
          mediaType: "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
          digest: sha256("hosted elsewhere"),
          size: 16,
          urls: ["https://example.invalid/layer"],
        },
      ],
    });
    const response = await putManifest(registry.url, "manifests/put", "foreign", manifest);
    expect(response.status).toBe(201);
  });
});

describe("PUT refusals", () => {
  test("invalid JSON is 400 MANIFEST_INVALID", async () => {
    for (const body of ["{not json", "[]", '"text"', ""]) {
      const response = await putManifest(registry.url, "manifests/bad", "v1", body);
      await expectOciError(response, 400, "MANIFEST_INVALID");
    }
  });

  test("a manifest the registry cannot use is 400 MANIFEST_INVALID", async () => {
    const { config, layer } = await pushParts("manifests/bad", "shape");
    const bodies = [
      JSON.stringify({ schemaVersion: 1, name: "x", tag: "v1", fsLayers: [] }),
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [] }),
      imageManifest({ digest: "sha256:short", size: 1 }, [layer]),
      imageManifest(config, [{ digest: layer.digest, size: -1 }]),
    ];
    for (const body of bodies) {
      const response = await putManifest(registry.url, "manifests/bad", "v1", body);
      await expectOciError(response, 400, "MANIFEST_INVALID");
    }
  });

  test("a Content-Type that contradicts the body's mediaType is 400 MANIFEST_INVALID", async () => {
    const { config, layer } = await pushParts("manifests/bad", "type");
    const manifest = imageManifest(config, [layer]);
    const response = await putManifest(registry.url, "manifests/bad", "v1", manifest, OCI_INDEX);
    await expectOciError(response, 400, "MANIFEST_INVALID");
  });

  test("an invalid tag is 400", async () => {
    const { config, layer } = await pushParts("manifests/bad", "tag");
    const manifest = imageManifest(config, [layer]);
    const response = await putManifest(registry.url, "manifests/bad", "-bad", manifest);
    await expectOciError(response, 400, "MANIFEST_INVALID");
  });

  test("a missing config blob is 400 MANIFEST_BLOB_UNKNOWN; nothing is created", async () => {
    const config = { digest: sha256("config never pushed"), size: 19 };
    const layer = { digest: sha256("layer never pushed"), size: 18 };
    const manifest = imageManifest(config, [layer]);
    const response = await putManifest(registry.url, "manifests/ghost", "v1", manifest);
    await expectOciError(response, 400, "MANIFEST_BLOB_UNKNOWN");

    expect(await tagsOf("manifests/ghost")).toBeNull();
    const get = await fetch(manifestUrl("manifests/ghost", "v1"));
    await expectOciError(get, 404, "NAME_UNKNOWN");
    const catalog = (await (await fetch(`${registry.url}/v2/_catalog`)).json()) as {
      repositories: string[];
    };
    expect(catalog.repositories).not.toContain("manifests/ghost");
  });

  test("a missing layer is 400 MANIFEST_BLOB_UNKNOWN; the tag is not created", async () => {
    const { config } = await pushParts("manifests/half", "half");
    const layer = { digest: sha256("layer never pushed"), size: 18 };
    const manifest = imageManifest(config, [layer]);
    const response = await putManifest(registry.url, "manifests/half", "v1", manifest);
    const body = await expectOciError(response, 400, "MANIFEST_BLOB_UNKNOWN");
    expect(JSON.stringify(body)).toContain(layer.digest);

    await expectOciError(await fetch(manifestUrl("manifests/half", "v1")), 404, "MANIFEST_UNKNOWN");
    const byDigest = await fetch(manifestUrl("manifests/half", sha256(manifest)));
    await expectOciError(byDigest, 404, "MANIFEST_UNKNOWN");
    expect(await tagsOf("manifests/half")).toEqual([]);
  });

  test("a blob pushed only to another repository does not count", async () => {
    const { config, layer } = await pushParts("manifests/theirs", "theirs");
    const manifest = imageManifest(config, [layer]);
    const response = await putManifest(registry.url, "manifests/mine", "v1", manifest);
    await expectOciError(response, 400, "MANIFEST_BLOB_UNKNOWN");
  });
});

describe("indexes and Docker types", () => {
  test("an index whose children are present is 201 and served as an index", async () => {
    const amd = await pushImage(registry.url, "manifests/multi", "amd64", "amd");
    const arm = await pushImage(registry.url, "manifests/multi", "arm64", "arm");
    const list = index([
      { digest: amd.digest, size: amd.manifest.length },
      { digest: arm.digest, size: arm.manifest.length },
    ]);
    const response = await putManifest(registry.url, "manifests/multi", "v1", list, OCI_INDEX);
    expect(response.status).toBe(201);
    expect(response.headers.get("docker-content-digest")).toBe(sha256(list));

    const get = await fetch(manifestUrl("manifests/multi", "v1"), {
      headers: { Accept: OCI_MANIFEST },
    });
    expect(get.headers.get("content-type")).toBe(OCI_INDEX);
    expect(await get.text()).toBe(list);
  });

  test("an index with a missing child is 400 MANIFEST_BLOB_UNKNOWN", async () => {
    const amd = await pushImage(registry.url, "manifests/multi", "amd64", "amd");
    const missing = sha256("child never pushed");
    const list = index([
      { digest: amd.digest, size: amd.manifest.length },
      { digest: missing, size: 100 },
    ]);
    const response = await putManifest(registry.url, "manifests/multi", "broken", list, OCI_INDEX);
    const body = await expectOciError(response, 400, "MANIFEST_BLOB_UNKNOWN");
    expect(JSON.stringify(body)).toContain(missing);
    expect(await tagsOf("manifests/multi")).not.toContain("broken");
  });

  test("an index whose child is only in another repository is refused", async () => {
    const elsewhere = await pushImage(registry.url, "manifests/elsewhere", "v1");
    const list = index([{ digest: elsewhere.digest, size: elsewhere.manifest.length }]);
    const response = await putManifest(registry.url, "manifests/multi", "x", list, OCI_INDEX);
    await expectOciError(response, 400, "MANIFEST_BLOB_UNKNOWN");
  });

  test("a Docker schema2 manifest and manifest list are stored and served as pushed", async () => {
    const { config, layer } = await pushParts("manifests/docker", "docker");
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: "application/vnd.docker.container.image.v1+json", ...config },
      layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", ...layer }],
    });
    const pushed = await putManifest(
      registry.url,
      "manifests/docker",
      "image",
      manifest,
      DOCKER_MANIFEST,
    );
    expect(pushed.status).toBe(201);

    const list = index([{ digest: sha256(manifest), size: manifest.length }], DOCKER_LIST);
    const listed = await putManifest(registry.url, "manifests/docker", "list", list, DOCKER_LIST);
    expect(listed.status).toBe(201);

    for (const [tag, body, type] of [
      ["image", manifest, DOCKER_MANIFEST],
      ["list", list, DOCKER_LIST],
    ] as const) {
      const response = await fetch(manifestUrl("manifests/docker", tag), {
        headers: { Accept: OCI_MANIFEST },
      });
      expect(response.headers.get("content-type")).toBe(type);
      expect(response.headers.get("docker-content-digest")).toBe(sha256(body));
      expect(await response.text()).toBe(body);
    }
  });

  test("an artifact whose subject does not exist is 201 with OCI-Subject", async () => {
    const { config, layer } = await pushParts("manifests/artifact", "artifact");
    const subject = sha256("subject never pushed");
    const manifest = imageManifest(config, [layer], {
      artifactType: "application/vnd.example.sbom",
      subject: { mediaType: OCI_MANIFEST, digest: subject, size: 123 },
    });
    const response = await putManifest(
      registry.url,
      "manifests/artifact",
      sha256(manifest),
      manifest,
    );
    expect(response.status).toBe(201);
    expect(response.headers.get("oci-subject")).toBe(subject);
  });
});

describe("declared sizes", () => {
  test("a descriptor whose size differs from the blob is 400 MANIFEST_INVALID, nothing stored", async () => {
    const name = "manifests/sizes";
    const config = "{}";
    const layer = "x".repeat(1000);
    const configDigest = await pushBlob(registry.url, name, config);
    const layerDigest = await pushBlob(registry.url, name, layer);
    const lying = imageManifest({ digest: configDigest, size: 2 }, [
      { digest: layerDigest, size: 5 },
    ]);
    const response = await putManifest(registry.url, name, "lying", lying);
    await expectOciError(response, 400, "MANIFEST_INVALID");
    expect((await fetch(manifestUrl(name, "lying"))).status).toBe(404);

    const honest = imageManifest({ digest: configDigest, size: 2 }, [
      { digest: layerDigest, size: 1000 },
    ]);
    expect((await putManifest(registry.url, name, "honest", honest)).status).toBe(201);
  });

  test("an index child whose declared size differs from the manifest is refused", async () => {
    const name = "manifests/index-sizes";
    const child = await pushImage(registry.url, name, "child");
    const index = (size: number) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [
          { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: child.digest, size },
        ],
      });
    const wrong = await putManifest(
      registry.url,
      name,
      "idx",
      index(child.manifest.length + 1),
      "application/vnd.oci.image.index.v1+json",
    );
    await expectOciError(wrong, 400, "MANIFEST_INVALID");
    const right = await putManifest(
      registry.url,
      name,
      "idx",
      index(child.manifest.length),
      "application/vnd.oci.image.index.v1+json",
    );
    expect(right.status).toBe(201);
  });
});

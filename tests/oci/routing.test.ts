import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { imageManifest, pushImage, sha256 } from "../helpers/oci-client.ts";
import { expectOciError } from "../helpers/oci-expect.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startTestRegistry();
});
afterAll(() => registry.destroy());

function send(path: string, method = "GET") {
  return fetch(`${registry.url}${path}`, { method });
}

describe("repository names", () => {
  const invalid = [
    "Upper",
    "routing/Mixed",
    "a%2Fb",
    "routing%2fapp",
    "-lead",
    "trail-",
    "a..b",
    "a//b",
    "a_._b",
    "x".repeat(256),
  ];

  test("an invalid name is 400 NAME_INVALID on every endpoint", async () => {
    for (const name of invalid) {
      const paths: Array<[string, string]> = [
        [`/v2/${name}/manifests/latest`, "GET"],
        [`/v2/${name}/manifests/latest`, "PUT"],
        [`/v2/${name}/blobs/sha256:${"a".repeat(64)}`, "GET"],
        [`/v2/${name}/blobs/uploads/`, "POST"],
        [`/v2/${name}/tags/list`, "GET"],
        [`/v2/${name}/referrers/sha256:${"a".repeat(64)}`, "GET"],
      ];
      for (const [path, method] of paths) {
        await expectOciError(await send(path, method), 400, "NAME_INVALID");
      }
    }
  });

  test("a name of 255 characters is valid", async () => {
    const name = `routing/${"x".repeat(247)}`;
    expect(name.length).toBe(255);
    await pushImage(registry.url, name, "v1");
    expect((await send(`/v2/${name}/manifests/v1`)).status).toBe(200);
  });

  test("names may contain the words that mark resources", async () => {
    for (const name of ["routing/blobs", "routing/manifests/tags", "routing/blobs/uploads"]) {
      const image = await pushImage(registry.url, name, "v1");
      const manifest = await send(`/v2/${name}/manifests/v1`);
      expect(await manifest.text()).toBe(image.manifest);
      const blob = await send(`/v2/${name}/blobs/${image.layerDigest}`);
      expect(blob.status).toBe(200);
      const tags = await send(`/v2/${name}/tags/list`);
      expect(await tags.json()).toEqual({ name, tags: ["v1"] });
    }
  });

  test("an invalid mount source is 400 NAME_INVALID", async () => {
    const response = await send(
      `/v2/routing/app/blobs/uploads/?mount=sha256:${"a".repeat(64)}&from=Not/Valid`,
      "POST",
    );
    await expectOciError(response, 400, "NAME_INVALID");
  });
});

describe("unknown paths and methods", () => {
  test("a path outside /v2 and /v1 is 404 with a JSON error", async () => {
    for (const path of ["/", "/v3/", "/favicon.ico", "/v1/nothing"]) {
      const response = await send(path, "GET");
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: string }).error).toBeString();
    }
  });

  test("a path that is no endpoint is 404 with an OCI error body", async () => {
    const paths = [
      "/v2/nothing",
      "/v2/routing/app",
      "/v2/routing/app/unknown/thing",
      "/v2/routing/app/manifests/",
      "/v2/routing/app/blobs/",
      "/v2/routing/app/tags",
      "/v2/_catalog/extra",
    ];
    for (const path of paths) {
      for (const method of ["GET", "PUT", "DELETE"]) {
        await expectOciError(await send(path, method), 404, "UNSUPPORTED");
      }
      const head = await send(path, "HEAD");
      expect(head.status).toBe(404);
    }
  });

  test("a method an endpoint does not have is 405 UNSUPPORTED with Allow", async () => {
    const cases: Array<[string, string, string]> = [
      ["/v2/", "DELETE", "GET, HEAD"],
      ["/v2/_catalog", "POST", "GET, HEAD"],
      ["/v2/routing/app/tags/list", "PUT", "GET, HEAD"],
      ["/v2/routing/app/manifests/latest", "POST", "GET, HEAD, PUT, DELETE"],
      ["/v2/routing/app/manifests/latest", "PATCH", "GET, HEAD, PUT, DELETE"],
      [`/v2/routing/app/blobs/sha256:${"a".repeat(64)}`, "PUT", "GET, HEAD, DELETE"],
      [`/v2/routing/app/blobs/sha256:${"a".repeat(64)}`, "POST", "GET, HEAD, DELETE"],
      ["/v2/routing/app/blobs/uploads/", "GET", "POST"],
      ["/v2/routing/app/blobs/uploads/", "DELETE", "POST"],
      [
        `/v2/routing/app/blobs/uploads/${crypto.randomUUID()}`,
        "POST",
        "GET, HEAD, PATCH, PUT, DELETE",
      ],
      [`/v2/routing/app/referrers/sha256:${"a".repeat(64)}`, "DELETE", "GET, HEAD"],
    ];
    for (const [path, method, allow] of cases) {
      const response = await send(path, method);
      expect(response.headers.get("allow")).toBe(allow);
      await expectOciError(response, 405, "UNSUPPORTED");
    }
  });
});

describe("error bodies", () => {
  test("odd requests get an OCI error body, never a 500", async () => {
    const requests: Array<[string, string, RequestInit?]> = [
      ["/v2/%", "GET"],
      ["/v2/%E0%A4%A/manifests/v1", "GET"],
      ["/v2/routing/app/manifests/%00", "GET"],
      ["/v2/routing/app/manifests/sha256:%2E%2E", "GET"],
      ["/v2/routing/app/blobs/..%2F..%2Fetc%2Fpasswd", "GET"],
      ["/v2/routing/app/blobs/uploads/..%2F..%2Fx", "PATCH", { body: "x" }],
      ["/v2/routing/app/tags/list?n=99999999999999999999", "GET"],
      ["/v2/_catalog?n=%ZZ", "GET"],
      ["/v2/routing/app/manifests/v1", "PUT", { body: "\u0000\u0001" }],
      ["/v2/routing/app/manifests/v1", "PUT", { headers: { "Content-Type": "text/plain" } }],
    ];
    for (const [path, method, init] of requests) {
      const response = await fetch(`${registry.url}${path}`, { method, ...init });
      // The path rides along so that a failure names the request that caused it.
      expect([path, response.status >= 400 && response.status < 500]).toEqual([path, true]);
      const body = (await response.json()) as { errors: Array<{ code: string; message: string }> };
      expect(body.errors[0]?.code).toBeString();
      expect(body.errors[0]?.message).toBeString();
    }
  });

  test("every error carries the API version header", async () => {
    const response = await send("/v2/routing/never/manifests/v1");
    expect(response.status).toBe(404);
    expect(response.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
  });
});

describe("Location headers with an external URL", () => {
  const external = "https://registry.example.test/prefix";
  let behindProxy: TestRegistry;
  beforeAll(async () => {
    behindProxy = await startTestRegistry({ env: { MCR_SERVER_EXTERNAL_URL: `${external}/` } });
  });
  afterAll(() => behindProxy.destroy());

  test("upload, blob and manifest Locations start with the external URL", async () => {
    const url = behindProxy.url;
    const opened = await fetch(`${url}/v2/routing/app/blobs/uploads/`, { method: "POST" });
    const location = opened.headers.get("location") ?? "";
    const id = opened.headers.get("docker-upload-uuid");
    expect(location).toBe(`${external}/v2/routing/app/blobs/uploads/${id}`);

    const patched = await fetch(`${url}/v2/routing/app/blobs/uploads/${id}`, {
      method: "PATCH",
      body: "x",
    });
    expect(patched.headers.get("location")).toBe(location);

    const digest = sha256("x");
    const done = await fetch(`${url}/v2/routing/app/blobs/uploads/${id}?digest=${digest}`, {
      method: "PUT",
    });
    expect(done.headers.get("location")).toBe(`${external}/v2/routing/app/blobs/${digest}`);

    // Blobs go up in one POST each: the helpers would follow the external Location,
    // which names a host these tests must never contact.
    const config = "{}";
    const configDigest = sha256(config);
    const posted = await fetch(`${url}/v2/routing/app/blobs/uploads/?digest=${configDigest}`, {
      method: "POST",
      body: config,
    });
    expect(posted.headers.get("location")).toBe(`${external}/v2/routing/app/blobs/${configDigest}`);

    const body = imageManifest({ digest: configDigest, size: config.length }, [
      { digest, size: 1 },
    ]);
    const manifest = await fetch(`${url}/v2/routing/app/manifests/v1`, {
      method: "PUT",
      headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" },
      body,
    });
    expect(manifest.status).toBe(201);
    expect(manifest.headers.get("location")).toBe(
      `${external}/v2/routing/app/manifests/${sha256(body)}`,
    );
  });
});

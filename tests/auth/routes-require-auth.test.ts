import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import {
  type AuthRegistry,
  createSystemAccount,
  pushImageAs,
  startAuthRegistry,
} from "../helpers/auth.ts";
import { imageManifest, sha256 } from "../helpers/oci-client.ts";
import { expectOciError } from "../helpers/oci-expect.ts";

/**
 * Every /v2 route and method, with the scope its challenge must ask for. Bodies are real
 * (a valid manifest, blob bytes with their digest) so that a request reaching its handler
 * would store something: the "nothing stored" test below checks that none did.
 */
const NAME = "guarded/app";
const BLOB = "bytes nobody may store";
const BLOB_DIGEST = sha256(BLOB);
const MANIFEST = imageManifest({ digest: BLOB_DIGEST, size: BLOB.length }, []);
const UPLOAD_ID = "0b6e8e64-4a0c-4c6e-9d7b-2d0c2f3a4b5c";

interface Route {
  method: string;
  path: string;
  /** The challenge's scope, or null for /v2/ itself. */
  scope: string | null;
  body?: string;
  headers?: Record<string, string>;
}

const pull = `repository:${NAME}:pull`;
const push = `repository:${NAME}:pull,push`;
const remove = `repository:${NAME}:delete`;
const OCI_MANIFEST = { "Content-Type": "application/vnd.oci.image.manifest.v1+json" };

const ROUTES: Route[] = [
  { method: "GET", path: "/v2/", scope: null },
  { method: "HEAD", path: "/v2/", scope: null },
  { method: "GET", path: "/v2/_catalog", scope: "registry:catalog:*" },
  { method: "HEAD", path: "/v2/_catalog", scope: "registry:catalog:*" },
  { method: "GET", path: `/v2/${NAME}/tags/list`, scope: pull },
  { method: "HEAD", path: `/v2/${NAME}/tags/list`, scope: pull },
  { method: "GET", path: `/v2/${NAME}/manifests/latest`, scope: pull },
  { method: "HEAD", path: `/v2/${NAME}/manifests/latest`, scope: pull },
  {
    method: "PUT",
    path: `/v2/${NAME}/manifests/latest`,
    scope: push,
    body: MANIFEST,
    headers: OCI_MANIFEST,
  },
  {
    method: "PUT",
    path: `/v2/${NAME}/manifests/${sha256(MANIFEST)}`,
    scope: push,
    body: MANIFEST,
    headers: OCI_MANIFEST,
  },
  { method: "DELETE", path: `/v2/${NAME}/manifests/latest`, scope: remove },
  { method: "GET", path: `/v2/${NAME}/blobs/${BLOB_DIGEST}`, scope: pull },
  { method: "HEAD", path: `/v2/${NAME}/blobs/${BLOB_DIGEST}`, scope: pull },
  { method: "DELETE", path: `/v2/${NAME}/blobs/${BLOB_DIGEST}`, scope: remove },
  { method: "POST", path: `/v2/${NAME}/blobs/uploads/`, scope: push },
  {
    method: "POST",
    path: `/v2/${NAME}/blobs/uploads/?digest=${BLOB_DIGEST}`,
    scope: push,
    body: BLOB,
  },
  {
    method: "POST",
    path: `/v2/${NAME}/blobs/uploads/?mount=${BLOB_DIGEST}&from=other/app`,
    scope: push,
  },
  { method: "GET", path: `/v2/${NAME}/blobs/uploads/${UPLOAD_ID}`, scope: push },
  { method: "PATCH", path: `/v2/${NAME}/blobs/uploads/${UPLOAD_ID}`, scope: push, body: BLOB },
  {
    method: "PUT",
    path: `/v2/${NAME}/blobs/uploads/${UPLOAD_ID}?digest=${BLOB_DIGEST}`,
    scope: push,
    body: BLOB,
  },
  { method: "DELETE", path: `/v2/${NAME}/blobs/uploads/${UPLOAD_ID}`, scope: push },
  { method: "GET", path: `/v2/${NAME}/referrers/${BLOB_DIGEST}`, scope: pull },
  { method: "HEAD", path: `/v2/${NAME}/referrers/${BLOB_DIGEST}`, scope: pull },
];

let registry: AuthRegistry;
/** Basic credentials of a system account no rule allows anything. */
let robot: string;

beforeAll(async () => {
  // Every route is tried with one wrong password: the login throttle must not step in here
  // (tests/auth/login-throttle-surfaces.test.ts covers it).
  registry = await startAuthRegistry({ MCR_AUTH_LOGIN_MAX_FAILURES: "1000" });
  robot = (await createSystemAccount(registry, "idle-robot")).authorization;
});
afterAll(() => registry.destroy());

function send(route: Route, authorization?: string): Promise<Response> {
  return fetch(`${registry.url}${route.path}`, {
    method: route.method,
    headers: { ...route.headers, ...(authorization ? { Authorization: authorization } : {}) },
    body: route.body,
  });
}

function expectedChallenge(route: Route): string {
  const scope = route.scope ? `,scope="${route.scope}"` : "";
  return `Bearer realm="${registry.url}/v2/token",service="mcr"${scope}`;
}

describe("without credentials every route answers 401 with a challenge", () => {
  for (const route of ROUTES) {
    test(`${route.method} ${route.path}`, async () => {
      const response = await send(route);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe(expectedChallenge(route));
      // A HEAD answer has no body to check.
      if (route.method !== "HEAD") await expectOciError(response, 401, "UNAUTHORIZED");
    });
  }
});

describe("a system account no rule allows gets 403 everywhere but /v2/", () => {
  for (const route of ROUTES) {
    const isBase = route.path === "/v2/";
    test(`${route.method} ${route.path} → ${isBase ? 200 : 403}`, async () => {
      const response = await send(route, robot);
      expect(response.headers.get("www-authenticate")).toBeNull();
      if (isBase) {
        expect(response.status).toBe(200);
        return;
      }
      expect(response.status).toBe(403);
      if (route.method !== "HEAD") await expectOciError(response, 403, "DENIED");
    });
  }
});

describe("wrong credentials are refused on every route", () => {
  for (const route of ROUTES) {
    test(`${route.method} ${route.path}`, async () => {
      const response = await send(route, "Basic aWRsZS1yb2JvdDp3cm9uZw==");
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe(expectedChallenge(route));
    });
  }
});

/** Every file below a folder, recursively. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("none reaches a handler", () => {
  test("after all of the above nothing is stored: no repository, blob or upload", async () => {
    const catalog = await fetch(`${registry.url}/v2/_catalog`, {
      headers: { Authorization: registry.admin },
    });
    expect(catalog.status).toBe(200);
    expect(await catalog.json()).toEqual({ repositories: [] });

    const head = await fetch(`${registry.url}/v2/${NAME}/blobs/${BLOB_DIGEST}`, {
      method: "HEAD",
      headers: { Authorization: registry.admin },
    });
    expect(head.status).toBe(404);
    expect(filesUnder(join(registry.dataDir, "uploads"))).toEqual([]);
    expect(filesUnder(join(registry.dataDir, "blobs"))).toEqual([]);
  });

  test("refused deletes and upload changes leave existing content as it was", async () => {
    const name = "kept/app";
    const admin = { Authorization: registry.admin };
    const image = await pushImageAs(registry.url, name, "v1", registry.admin);
    const opened = await fetch(`${registry.url}/v2/${name}/blobs/uploads/`, {
      method: "POST",
      headers: admin,
    });
    expect(opened.status).toBe(202);
    const upload = new URL(opened.headers.get("location") ?? "", registry.url);
    const finish = new URL(upload);
    finish.searchParams.set("digest", BLOB_DIGEST);

    const attempts: Array<[string, URL | string, string?]> = [
      ["DELETE", `${registry.url}/v2/${name}/manifests/v1`],
      ["DELETE", `${registry.url}/v2/${name}/manifests/${image.digest}`],
      ["DELETE", `${registry.url}/v2/${name}/blobs/${image.layerDigest}`],
      ["PATCH", upload, BLOB],
      ["PUT", finish, BLOB],
      ["DELETE", upload],
    ];
    for (const authorization of [undefined, robot]) {
      for (const [method, url, body] of attempts) {
        const response = await fetch(url, {
          method,
          body,
          headers: authorization ? { Authorization: authorization } : {},
        });
        expect(response.status).toBe(authorization ? 403 : 401);
      }
    }

    const manifest = await fetch(`${registry.url}/v2/${name}/manifests/v1`, { headers: admin });
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get("docker-content-digest")).toBe(image.digest);
    const layer = await fetch(`${registry.url}/v2/${name}/blobs/${image.layerDigest}`, {
      method: "HEAD",
      headers: admin,
    });
    expect(layer.status).toBe(200);
    const status = await fetch(upload, { headers: admin });
    expect(status.status).toBe(204);
    expect(status.headers.get("range")).toBe("0-0");
    const stored = await fetch(`${registry.url}/v2/${name}/blobs/${BLOB_DIGEST}`, {
      method: "HEAD",
      headers: admin,
    });
    expect(stored.status).toBe(404);
  });
});

import { afterAll, beforeAll, expect, test } from "bun:test";
import { type AuthRegistry, basic, pushImageAs, startAuthRegistry } from "../helpers/auth.ts";
import { callApi, expectApiError, expectStatus } from "../helpers/rest-client.ts";

/** /v1/repositories: what an admin sees of repositories, and deleting them. */
let registry: AuthRegistry;
beforeAll(async () => {
  registry = await startAuthRegistry();
});
afterAll(() => registry.destroy());

function asAdmin<T>(method: string, path: string) {
  return callApi<T>(registry.url, method, path, { authorization: registry.admin });
}

interface Summary {
  name: string;
  tag_count: number;
  manifest_count: number;
  total_size: number;
  last_push: string | null;
}
interface Detail {
  name: string;
  tags: Array<{ name: string; digest: string }>;
  manifests: Array<{
    digest: string;
    media_type: string;
    tags: string[];
    platforms: string[];
    referrers: string[];
  }>;
}

test("lists repositories with tag and manifest counts, sizes and last push, paged", async () => {
  await pushImageAs(registry.url, "repos/a", "v1", registry.admin);
  await pushImageAs(registry.url, "repos/a", "v2", registry.admin);
  await pushImageAs(registry.url, "repos/b/nested", "v1", registry.admin);

  const all = await asAdmin<{ repositories: Summary[]; next_last: string | null }>(
    "GET",
    "/v1/repositories",
  );
  expectStatus(all, 200);
  const a = all.body.repositories.find((repository) => repository.name === "repos/a");
  expect(a).toMatchObject({ tag_count: 2, manifest_count: 2 });
  expect(a?.total_size).toBeGreaterThan(0);
  expect(a?.last_push).toMatch(/^\d{4}-/);

  const first = await asAdmin<{ repositories: Summary[]; next_last: string | null }>(
    "GET",
    "/v1/repositories?n=1",
  );
  expect(first.body.repositories).toHaveLength(1);
  expect(first.body.next_last).toBe(first.body.repositories[0]?.name ?? "missing");
  expectApiError(await asAdmin("GET", "/v1/repositories?n=0"), 400);
});

test("the detail of a multi-segment repository shows tags, manifests and a manifest by digest", async () => {
  const image = await pushImageAs(registry.url, "repos/detail/app", "v1", registry.admin);
  const detail = await asAdmin<Detail>("GET", "/v1/repositories/repos/detail/app");
  expectStatus(detail, 200);
  expect(detail.body.tags).toEqual([expect.objectContaining({ name: "v1", digest: image.digest })]);
  expect(detail.body.manifests[0]).toMatchObject({
    digest: image.digest,
    tags: ["v1"],
    platforms: [],
  });

  const manifest = await asAdmin<{ digest: string }>(
    "GET",
    `/v1/repositories/repos/detail/app/manifests/${image.digest}`,
  );
  expect(manifest.body.digest).toBe(image.digest);
  expectApiError(await asAdmin("GET", "/v1/repositories/repos/none"), 404);
  expectApiError(await asAdmin("GET", "/v1/repositories/Bad%20Name"), 400);
});

test("a path with a trailing slash names no repository: nothing is deleted", async () => {
  await pushImageAs(registry.url, "repos/kept", "v1", registry.admin);
  // What a client's "tags/.." becomes once its URL is normalised.
  const answer = await callApi(registry.url, "DELETE", "/v1/repositories/repos/kept/", {
    authorization: registry.admin,
  });
  expect(answer.status).toBe(400);
  const detail = await callApi(registry.url, "GET", "/v1/repositories/repos/kept", {
    authorization: registry.admin,
  });
  expect(detail.status).toBe(200);
});

test("deleting a tag keeps the manifest; deleting the repository removes it from /v2", async () => {
  await pushImageAs(registry.url, "repos/gone", "v1", registry.admin);
  await pushImageAs(registry.url, "repos/gone", "v2", registry.admin);
  expectStatus(await asAdmin("DELETE", "/v1/repositories/repos/gone/tags/v1"), 204);
  const detail = await asAdmin<Detail>("GET", "/v1/repositories/repos/gone");
  expect(detail.body.tags.map((tag) => tag.name)).toEqual(["v2"]);
  expect(detail.body.manifests).toHaveLength(2);

  expectStatus(await asAdmin("DELETE", "/v1/repositories/repos/gone"), 204);
  const pulled = await fetch(`${registry.url}/v2/repos/gone/manifests/v2`, {
    headers: { Authorization: registry.admin },
  });
  expect(pulled.status).toBe(404);
  const { events } = await registry.running.audit.query({ eventType: "repository_deleted" });
  expect(events[0]?.repository).toBe("repos/gone");
});

test("people without the admin role may not see or delete repositories", async () => {
  await registry.running.accessLayer.accounts.create(
    { username: "viewer", accountType: "human", roles: [], password: "viewer password 1" },
    null,
  );
  const answer = await callApi(registry.url, "GET", "/v1/repositories", {
    authorization: basic("viewer", "viewer password 1"),
  });
  expectApiError(answer, 403);
  expectApiError(await callApi(registry.url, "GET", "/v1/repositories"), 401);
});

test("an index shows its children's platforms, a subject its referrers", async () => {
  const child = await pushImageAs(registry.url, "repos/multi", "amd64", registry.admin);
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [
      {
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: child.digest,
        size: child.manifest.length,
        platform: { os: "linux", architecture: "arm64", variant: "v8" },
      },
    ],
    subject: {
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: child.digest,
      size: child.manifest.length,
    },
  });
  const put = await fetch(`${registry.url}/v2/repos/multi/manifests/list`, {
    method: "PUT",
    headers: {
      Authorization: registry.admin,
      "Content-Type": "application/vnd.oci.image.index.v1+json",
    },
    body: index,
  });
  expect(put.status).toBe(201);
  const detail = await asAdmin<Detail>("GET", "/v1/repositories/repos/multi");
  const listed = detail.body.manifests.find((manifest) => manifest.tags.includes("list"));
  expect(listed?.platforms).toEqual(["linux/arm64/v8"]);
  const image = detail.body.manifests.find((manifest) => manifest.digest === child.digest);
  expect(image?.referrers).toEqual([put.headers.get("docker-content-digest") ?? ""]);
});

test("a manifest digest with malformed percent-encoding is 400, not a 500", async () => {
  // Found by tests/fuzz/admin-json.test.ts: decoding `%ZZ` threw out of the route.
  for (const method of ["GET", "DELETE"]) {
    const answer = await asAdmin(method, "/v1/repositories/repos/a/manifests/%ZZ");
    expect(expectApiError(answer, 400)).toContain("percent-encoding");
  }
});

import { afterAll, beforeAll, expect, test } from "bun:test";
import { pushBlob, pushImage } from "../helpers/oci-client.ts";
import { expectOciError } from "../helpers/oci-expect.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startTestRegistry();
});
afterAll(() => registry.destroy());

/** Lexical order. */
const ALL = ["alpha", "alpha-b", "beta", "beta/one", "beta/two", "zeta"];

async function catalog(query = "") {
  const response = await fetch(`${registry.url}/v2/_catalog${query}`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { repositories: string[] };
  return { body, link: response.headers.get("link") };
}

test("an empty registry lists no repositories", async () => {
  const { body, link } = await catalog();
  expect(body).toEqual({ repositories: [] });
  expect(link).toBeNull();
});

test("lists every repository in lexical order", async () => {
  for (const name of ["zeta", "beta/two", "alpha-b", "beta", "beta/one"]) {
    await pushImage(registry.url, name, "v1");
  }
  // A repository with blobs and no manifest is a repository too.
  await pushBlob(registry.url, "alpha", "only a blob");

  const response = await fetch(`${registry.url}/v2/_catalog`);
  expect(response.headers.get("content-type")).toContain("application/json");
  expect(response.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
  expect(await response.json()).toEqual({ repositories: ALL });
});

test("an upload session alone does not create a repository", async () => {
  const opened = await fetch(`${registry.url}/v2/ghost/blobs/uploads/`, { method: "POST" });
  expect(opened.status).toBe(202);
  expect((await catalog()).body.repositories).not.toContain("ghost");
});

test("?n= returns the first n with a Link to the next page", async () => {
  const { body, link } = await catalog("?n=2");
  expect(body.repositories).toEqual(ALL.slice(0, 2));
  expect(link).toBe('</v2/_catalog?n=2&last=alpha-b>; rel="next"');
});

test("following the Link headers visits every repository once", async () => {
  const seen: string[] = [];
  let next: string | null = "/v2/_catalog?n=4";
  while (next) {
    const response: Response = await fetch(new URL(next, registry.url));
    seen.push(...((await response.json()) as { repositories: string[] }).repositories);
    next = /^<([^>]+)>; rel="next"$/.exec(response.headers.get("link") ?? "")?.[1] ?? null;
  }
  expect(seen).toEqual(ALL);
});

test("?last= starts after the given name", async () => {
  expect((await catalog("?last=beta")).body.repositories).toEqual(ALL.slice(3));
  expect((await catalog("?last=beta/one&n=1")).body.repositories).toEqual(["beta/two"]);
  expect((await catalog("?last=zeta")).body.repositories).toEqual([]);
});

test("n at or above the count has no Link", async () => {
  expect((await catalog(`?n=${ALL.length}`)).link).toBeNull();
  expect((await catalog("?n=1000")).link).toBeNull();
});

test("n=0 is an empty list without a Link", async () => {
  const { body, link } = await catalog("?n=0");
  expect(body).toEqual({ repositories: [] });
  expect(link).toBeNull();
});

test("a bad n is 400", async () => {
  for (const n of ["x", "-2", "2.0"]) {
    const response = await fetch(`${registry.url}/v2/_catalog?n=${n}`);
    await expectOciError(response, 400, "PAGINATION_NUMBER_INVALID");
  }
});

import { afterAll, beforeAll, expect, test } from "bun:test";
import { pushImage } from "../helpers/oci-client.ts";
import { expectOciError, putManifest } from "../helpers/oci-expect.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startTestRegistry();
  const image = await pushImage(registry.url, "tags/app", "latest");
  for (const tag of ["b", "A", "a", "C", "v1.9", "v1.10", "_x"]) {
    const response = await putManifest(registry.url, "tags/app", tag, image.manifest);
    if (response.status !== 201) throw new Error(`tag ${tag}: ${response.status}`);
  }
});
afterAll(() => registry.destroy());

/** Case-insensitive order, ties broken by byte order. */
const ALL = ["_x", "A", "a", "b", "C", "latest", "v1.10", "v1.9"];

function tagsUrl(query = "") {
  return `${registry.url}/v2/tags/app/tags/list${query}`;
}

async function page(query: string) {
  const response = await fetch(tagsUrl(query));
  expect(response.status).toBe(200);
  const body = (await response.json()) as { name: string; tags: string[] };
  return { body, link: response.headers.get("link") };
}

test("lists every tag in case-insensitive lexical order, with no Link", async () => {
  const response = await fetch(tagsUrl());
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("application/json");
  expect(response.headers.get("link")).toBeNull();
  expect(await response.json()).toEqual({ name: "tags/app", tags: ALL });
});

test("?n= returns the first n with a Link to the next page", async () => {
  const { body, link } = await page("?n=3");
  expect(body.tags).toEqual(ALL.slice(0, 3));
  expect(link).toBe('</v2/tags/app/tags/list?n=3&last=a>; rel="next"');
});

test("following the Link headers visits every tag once, in order", async () => {
  const seen: string[] = [];
  let next: string | null = "/v2/tags/app/tags/list?n=3";
  while (next) {
    const response: Response = await fetch(new URL(next, registry.url));
    const body = (await response.json()) as { tags: string[] };
    expect(body.tags.length).toBeLessThanOrEqual(3);
    seen.push(...body.tags);
    next = /^<([^>]+)>; rel="next"$/.exec(response.headers.get("link") ?? "")?.[1] ?? null;
  }
  expect(seen).toEqual(ALL);
});

test("?last= starts after the given tag, telling A from a", async () => {
  expect((await page("?last=A")).body.tags).toEqual(ALL.slice(2));
  expect((await page("?last=a")).body.tags).toEqual(ALL.slice(3));
  expect((await page("?last=b&n=2")).body.tags).toEqual(["C", "latest"]);
  expect((await page("?last=zzz")).body.tags).toEqual([]);
});

test("a last that is not a tag starts at its place in the order", async () => {
  expect((await page("?last=c")).body.tags).toEqual(["latest", "v1.10", "v1.9"]);
});

test("n equal to or above the count returns everything without a Link", async () => {
  for (const n of [ALL.length, ALL.length + 5]) {
    const { body, link } = await page(`?n=${n}`);
    expect(body.tags).toEqual(ALL);
    expect(link).toBeNull();
  }
});

test("the last page has no Link", async () => {
  const { body, link } = await page(`?n=3&last=${ALL[4]}`);
  expect(body.tags).toEqual(ALL.slice(5));
  expect(link).toBeNull();
});

test("n=0 is an empty list without a Link", async () => {
  const { body, link } = await page("?n=0");
  expect(body).toEqual({ name: "tags/app", tags: [] });
  expect(link).toBeNull();
});

test("a bad n is 400", async () => {
  for (const n of ["abc", "-1", "1.5", "1e3"]) {
    await expectOciError(await fetch(tagsUrl(`?n=${n}`)), 400, "PAGINATION_NUMBER_INVALID");
  }
});

test("a repository without tags lists an empty array", async () => {
  await pushImage(registry.url, "tags/untagged", "gone");
  await fetch(`${registry.url}/v2/tags/untagged/manifests/gone`, { method: "DELETE" });
  const response = await fetch(`${registry.url}/v2/tags/untagged/tags/list`);
  expect(await response.json()).toEqual({ name: "tags/untagged", tags: [] });
});

test("an unknown repository is 404 NAME_UNKNOWN", async () => {
  const response = await fetch(`${registry.url}/v2/tags/never/tags/list`);
  await expectOciError(response, 404, "NAME_UNKNOWN");
});

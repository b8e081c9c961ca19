import { afterAll, beforeAll, expect, test } from "bun:test";
import { expectEmptyBody } from "../helpers/oci-expect.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startTestRegistry();
});
afterAll(() => registry.destroy());

test("GET /v2/ answers 200 with the API version header", async () => {
  const response = await fetch(`${registry.url}/v2/`);
  expect(response.status).toBe(200);
  expect(response.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
  expect(await response.json()).toEqual({});
});

test("GET /v2 without the trailing slash is the version check too", async () => {
  const response = await fetch(`${registry.url}/v2`);
  expect(response.status).toBe(200);
  expect(response.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
});

test("HEAD /v2/ answers 200 with the header and no body", async () => {
  const response = await fetch(`${registry.url}/v2/`, { method: "HEAD" });
  expect(response.status).toBe(200);
  expect(response.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
  await expectEmptyBody(response);
});

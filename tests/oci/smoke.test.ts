import { afterAll, beforeAll, expect, test } from "bun:test";
import { pushImage } from "../helpers/oci-client.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startTestRegistry();
});
afterAll(() => registry.destroy());

test("an image pushed by tag can be pulled by tag and by digest", async () => {
  const image = await pushImage(registry.url, "smoke/app", "v1");
  for (const reference of ["v1", image.digest]) {
    const response = await fetch(`${registry.url}/v2/smoke/app/manifests/${reference}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("docker-content-digest")).toBe(image.digest);
    expect(await response.text()).toBe(image.manifest);
  }
});

import { afterAll, beforeAll, expect, test } from "bun:test";
import { rawGet as rawHttpGet } from "../helpers/raw-http.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startTestRegistry();
});
afterAll(() => registry.destroy());

/** A raw GET with the given Host header to the registry under test. */
function rawRequest(host: string, path = "/v2/_catalog"): Promise<string> {
  return rawHttpGet(registry.running.http.port, host, path);
}

test("a Host header that forms no URL gets a 400 OCI error, never Bun's debug page", async () => {
  for (const host of ["a/b", "a?b", "[::1", "a:99999", "a b"]) {
    const answer = await rawRequest(host);
    expect(answer).toStartWith("HTTP/1.1 400");
    expect(answer).toContain('"code":"UNSUPPORTED"');
    expect(answer).not.toContain("<html");
  }
});

test("short host names route like any other (Elysia assumes four characters or more)", async () => {
  for (const host of ["a", "ab", "reg", "a:1"]) {
    const answer = await rawRequest(host);
    expect(answer).toStartWith("HTTP/1.1 200");
    expect(answer).toContain('{"repositories":');
  }
});

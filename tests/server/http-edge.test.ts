import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect } from "node:net";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startTestRegistry();
});
afterAll(() => registry.destroy());

/** Sends a raw HTTP/1.1 request and returns the whole answer as text. */
function rawRequest(host: string, path = "/v2/_catalog"): Promise<string> {
  const { port } = registry.running.http;
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    });
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk.toString();
    });
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
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

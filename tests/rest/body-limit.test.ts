import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startTestRegistry({ env: { MCR_AUTH_PROVIDER: "local" } });
});
afterAll(() => registry.destroy());

const MIB = 1024 * 1024;

/** A chunked body (no Content-Length) of `mebibytes` MiB, counting what was taken from it. */
function countedBody(mebibytes: number) {
  const chunk = new Uint8Array(MIB).fill(0x20);
  const counter = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled === mebibytes) return controller.close();
      counter.pulled++;
      controller.enqueue(chunk);
    },
  });
  return { stream, counter };
}

test("an oversized chunked admin body is refused as it arrives, not after it was all read", async () => {
  // POST /v1/auth/login needs no credentials: anyone can send this.
  const { stream, counter } = countedBody(256);
  const answer = await fetch(`${registry.url}/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: stream,
  }).catch((error: Error) => error);

  if (answer instanceof Response) {
    expect(answer.status).toBe(413);
    expect(await answer.json()).toEqual({ error: "body over 65536 bytes" });
  }
  // Socket buffers hold a few MiB in flight; reading it whole took all 256.
  expect(counter.pulled).toBeLessThan(32);
});

test("a chunked admin body under the limit is read as usual", async () => {
  const body = new Blob([JSON.stringify({ username: "nobody", password: "wrong" })]).stream();
  const answer = await fetch(`${registry.url}/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body,
  });
  expect(answer.status).toBe(401);
});

/**
 * Bodies over a limit are refused as they arrive, on the registry's listener: an admin JSON
 * body (64 KiB) and a manifest (4 MiB), each sent chunked without an end and with a
 * Content-Length far over the limit. The answer must come while the client is still
 * sending, so nothing waits for (or buffers) the whole body.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createLogger } from "../../src/log/logger.ts";
import {
  answerHead,
  openRawConnection,
  startChunkedRequest,
  writeChunk,
} from "../helpers/raw-http.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
const lines: string[] = [];
beforeAll(async () => {
  registry = await startTestRegistry({
    log: createLogger({ level: "info", format: "text", write: (line) => lines.push(line) }),
  });
});
afterAll(() => registry.destroy());

const MIB = 1024 * 1024;
const JSON_TYPE = { "Content-Type": "application/json" };
const MANIFEST_TYPE = { "Content-Type": "application/vnd.oci.image.manifest.v1+json" };

/** Sends `chunks` chunks of `chunkBytes` spaces, never the last chunk; returns the answer. */
async function unendingChunked(
  method: string,
  path: string,
  headers: Record<string, string>,
  chunkBytes: number,
  chunks: number,
): Promise<string> {
  const connection = await openRawConnection(registry.running.http.port);
  startChunkedRequest(connection, method, path, headers);
  for (let i = 0; i < chunks; i++) writeChunk(connection, " ".repeat(chunkBytes));
  const answer = await answerHead(connection, 2000);
  connection.destroy();
  return answer;
}

/** Announces `declared` bytes and sends only `sent`; returns the answer. */
async function overstated(method: string, path: string, type: string, sent: number) {
  const connection = await openRawConnection(registry.running.http.port);
  connection.write(
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\n` +
      `Content-Length: 1000000000\r\n\r\n${" ".repeat(sent)}`,
  );
  const answer = await answerHead(connection, 2000);
  connection.destroy();
  return answer;
}

test("an admin JSON body sent chunked is 413 once it passes 64 KiB", async () => {
  const answer = await unendingChunked("POST", "/v1/auth/login", JSON_TYPE, 16 * 1024, 6);
  expect(answer).toStartWith("HTTP/1.1 413");
  expect(answer).toContain('{"error":"body over 65536 bytes"}');
});

test("an admin JSON body announcing 1 GB is 413 before it is read", async () => {
  const answer = await overstated("POST", "/v1/auth/login", "application/json", 10);
  expect(answer).toStartWith("HTTP/1.1 413");
});

test("a manifest sent chunked is 413 SIZE_INVALID once it passes 4 MiB", async () => {
  const answer = await unendingChunked("PUT", "/v2/big/app/manifests/v1", MANIFEST_TYPE, MIB, 5);
  expect(answer).toStartWith("HTTP/1.1 413");
  expect(answer).toContain('"code":"SIZE_INVALID"');
});

test("a manifest announcing 1 GB is 413 SIZE_INVALID before it is read", async () => {
  const answer = await overstated(
    "PUT",
    "/v2/big/app/manifests/v1",
    MANIFEST_TYPE["Content-Type"],
    10,
  );
  expect(answer).toStartWith("HTTP/1.1 413");
  expect(answer).toContain('"code":"SIZE_INVALID"');
});

test("an admin body cut off half-way is the client's doing: a 499 line, no failure", async () => {
  lines.length = 0;
  const connection = await openRawConnection(registry.running.http.port);
  startChunkedRequest(connection, "POST", "/v1/auth/login", JSON_TYPE);
  writeChunk(connection, '{"username": "admin",');
  await Bun.sleep(100);
  connection.destroy();

  const deadline = Date.now() + 2000;
  const isLogin = (line: string) => line.includes("path=/v1/auth/login");
  while (!lines.some(isLogin) && Date.now() < deadline) await Bun.sleep(20);
  expect(lines.find(isLogin)).toContain("status=499");
  expect(lines.filter((line) => line.includes("ERROR"))).toEqual([]);
});

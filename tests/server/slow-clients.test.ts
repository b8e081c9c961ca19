/**
 * Clients that send too slowly, on raw sockets: a body trickled a byte at a time, a body Bun
 * itself cuts, a request that stops half-way through its headers, headers that are too long.
 * Each must end without holding the upload's lock or the connection for good. Timeouts are
 * set short here; Bun checks its timeouts every 4 seconds, so its cuts take up to that more.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "../../src/log/logger.ts";
import { openUpload } from "../helpers/oci-expect.ts";
import { answerHead, openRawConnection, trickle } from "../helpers/raw-http.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

/** A PATCH of `length` bytes to `session`, headers only: the body is the caller's to send. */
function patchHead(session: URL, length: number): string {
  return (
    `PATCH ${session.pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
    `Content-Type: application/octet-stream\r\nContent-Length: ${length}\r\n\r\n`
  );
}

/** The session must hold nothing and take a new chunk at once: its lock was released. */
async function expectSessionFree(session: URL): Promise<void> {
  const status = await fetch(session);
  expect(status.status).toBe(204);
  expect(status.headers.get("range")).toBe("0-0");

  const started = Date.now();
  const chunk = await fetch(session, { method: "PATCH", body: "four" });
  expect(chunk.status).toBe(202);
  expect(chunk.headers.get("range")).toBe("0-3");
  expect(Date.now() - started).toBeLessThan(1000);
}

describe("a body slower than the floor, within stall_timeout", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startTestRegistry({
      env: { MCR_SERVER_STALL_TIMEOUT: "1s", MCR_SERVER_IDLE_TIMEOUT: "255s" },
    });
  });
  afterAll(() => registry.destroy());

  test("is answered 408 after stall_timeout though bytes keep coming", async () => {
    const session = await openUpload(registry.url, "slow/body");
    const connection = await openRawConnection(registry.running.http.port);
    connection.write(patchHead(session, 100_000));
    // Ten bytes a second: never silent, but far under 1 KiB per window.
    const stop = trickle(connection, "x".repeat(100_000), 100);

    const deadline = Date.now() + 5000;
    while (!connection.answer().includes("\r\n\r\n") && Date.now() < deadline) await Bun.sleep(50);
    stop();
    connection.destroy();
    expect(connection.answer()).toStartWith("HTTP/1.1 408");
    expect(connection.answer()).toContain('"code":"BLOB_UPLOAD_INVALID"');
    await expectSessionFree(session);
  });
});

describe("slow bodies under Bun's own floor, half-sent and oversized headers", () => {
  let registry: TestRegistry;
  const lines: string[] = [];
  beforeAll(async () => {
    registry = await startTestRegistry({
      env: { MCR_SERVER_IDLE_TIMEOUT: "2s" },
      log: createLogger({ level: "info", format: "text", write: (line) => lines.push(line) }),
    });
  });
  afterAll(() => registry.destroy());

  test("a /v2 body slower than Bun's own floor is not cut: only stall_timeout applies", async () => {
    // Bun cuts a body slower than about 16 KiB/s at idle_timeout (2 s here, checked every
    // 4 s); a push on a slow link must not die of that, so /v2 lifts it while a handler runs.
    const session = await openUpload(registry.url, "slow/cut");
    const connection = await openRawConnection(registry.running.http.port);
    const body = "x".repeat(10_000);
    connection.write(patchHead(session, body.length));
    // Two hundred bytes a second for seven seconds, then the rest at once.
    let sent = 0;
    for (const started = Date.now(); Date.now() - started < 7000; sent += 10) {
      connection.write(body.slice(sent, sent + 10));
      await Bun.sleep(50);
    }
    connection.write(body.slice(sent));
    const head = await answerHead(connection, 5000);
    connection.destroy();
    expect(head).toStartWith("HTTP/1.1 202");
    expect(lines.filter((line) => line.includes("ERROR"))).toEqual([]);
  }, 20_000);

  test("headers that never complete, silent or trickled, are cut by Bun's header deadline", async () => {
    // Bun (uWS) gives a request about 10 seconds to finish its headers, whatever idle_timeout
    // says and however steadily the bytes come; its 4-second timer ticks make that up to 12.
    const silent = await openRawConnection(registry.running.http.port);
    silent.write("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ");
    const trickled = await openRawConnection(registry.running.http.port);
    trickle(trickled, `GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${"a".repeat(1000)}`, 200);

    for (const connection of [silent, trickled]) {
      expect(await connection.closed).toBeLessThan(14_000);
      expect(connection.answer()).toBe("");
    }
  }, 20_000);

  test("headers over Bun's limit get 431 and a closed connection; serving goes on", async () => {
    const connection = await openRawConnection(registry.running.http.port);
    connection.write(
      `GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`,
    );
    expect(await connection.closed).toBeLessThan(2000);
    expect(connection.answer()).toStartWith("HTTP/1.1 431");
    expect((await fetch(`${registry.url}/v2/`)).status).toBe(200);
  });
});

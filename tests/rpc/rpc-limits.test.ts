/**
 * The admin RPC listener against clients that send too little, too slowly or too much, on
 * raw sockets, with idle_timeout 2 s and stall_timeout 3 s (the request limit here).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  answerHead,
  openRawConnection,
  startChunkedRequest,
  trickle,
  writeChunk,
} from "../helpers/raw-http.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
let port: number;
beforeAll(async () => {
  registry = await startTestRegistry({
    env: { MCR_SERVER_IDLE_TIMEOUT: "2s", MCR_SERVER_STALL_TIMEOUT: "3s" },
  });
  port = registry.running.rpc?.port ?? 0;
});
afterAll(() => registry.destroy());

const LOGIN = "/mcr.v1.AuthService/Login";

test("connections that send nothing, half a request or only the HTTP/2 preface are closed", async () => {
  const silent = await openRawConnection(port);
  const halfHeaders = await openRawConnection(port);
  halfHeaders.write(`POST ${LOGIN} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
  const prefaceOnly = await openRawConnection(port);
  prefaceOnly.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

  for (const connection of [silent, halfHeaders, prefaceOnly]) {
    expect(await connection.closed).toBeLessThan(3500);
  }
});

test("a body trickled a byte at a time is cut at the request limit, though never idle", async () => {
  const connection = await openRawConnection(port);
  connection.write(
    `POST ${LOGIN} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      "Content-Length: 10000\r\n\r\n",
  );
  trickle(connection, " ".repeat(10_000), 200);
  const closedAfter = await connection.closed;
  expect(closedAfter).toBeGreaterThan(2500);
  expect(closedAfter).toBeLessThan(5000);
});

test("a chunked body over 64 KiB is refused with resource_exhausted while it still comes", async () => {
  const connection = await openRawConnection(port);
  startChunkedRequest(connection, "POST", LOGIN, { "Content-Type": "application/json" });
  // Over the limit, plus what connect-node reads and discards before it answers (256 KiB).
  for (let i = 0; i < 12; i++) writeChunk(connection, " ".repeat(32 * 1024));
  const answer = await answerHead(connection, 2000);
  connection.destroy();
  expect(answer).toStartWith("HTTP/1.1 429");
  expect(answer).toContain('"code":"resource_exhausted"');
});

test("a Content-Length over 64 KiB is refused before the body is read", async () => {
  const connection = await openRawConnection(port);
  connection.write(
    `POST ${LOGIN} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      "Content-Length: 100000000\r\n\r\n",
  );
  connection.write(" ".repeat(300 * 1024));
  const answer = await answerHead(connection, 2000);
  connection.destroy();
  expect(answer).toStartWith("HTTP/1.1 429");
  expect(answer).toContain("larger than configured readMaxBytes");
});

test("headers over 16 KiB get 431 and a closed connection; calls go on", async () => {
  const connection = await openRawConnection(port);
  connection.write(
    `POST ${LOGIN} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`,
  );
  expect(await answerHead(connection, 2000)).toStartWith("HTTP/1.1 431");
  expect(await connection.closed).toBeLessThan(3000);

  const health = await fetch(`http://127.0.0.1:${port}/mcr.v1.AdminService/Health`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: "{}",
  });
  expect(health.status).toBe(200);
});

test("HTTP/1.1 headers trickled a byte at a time are cut at the request limit", async () => {
  const connection = await openRawConnection(port);
  trickle(
    connection,
    `POST ${LOGIN} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${"a".repeat(5000)}`,
    200,
  );
  const closedAfter = await connection.closed;
  expect(closedAfter).toBeGreaterThan(2500);
  expect(closedAfter).toBeLessThan(5000);
});

test("a kept-alive HTTP/1.1 connection serves call after call", async () => {
  const connection = await openRawConnection(port);
  const call =
    "POST /mcr.v1.AdminService/Health HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
    "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
  for (let i = 0; i < 4; i++) {
    const before = connection.answer().length;
    connection.write(call);
    const deadline = Date.now() + 2000;
    while (!connection.answer().slice(before).includes('"status":"ok"') && Date.now() < deadline) {
      await Bun.sleep(20);
    }
    expect(connection.answer().slice(before)).toStartWith("HTTP/1.1 200");
    // Each pause is inside the idle limit; together they pass the request limit.
    if (i < 3) await Bun.sleep(1200);
  }
  connection.destroy();
});

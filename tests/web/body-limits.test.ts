/**
 * The web UI's listener refuses a request body over 64 KiB as it arrives: the framework
 * parses a form whole before a page sees it, so the limit must be Bun's.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { silentLogger } from "../../src/log/logger.ts";
import { startWebServer, type WebServer } from "../../src/web/web-server.ts";
import { type AuthRegistry, startAuthRegistry } from "../helpers/auth.ts";
import {
  answerHead,
  openRawConnection,
  startChunkedRequest,
  writeChunk,
} from "../helpers/raw-http.ts";

let registry: AuthRegistry;
let web: WebServer;
beforeAll(async () => {
  registry = await startAuthRegistry();
  web = startWebServer(
    {
      listen: { host: "127.0.0.1", port: 0 },
      apiUrl: `http://127.0.0.1:${registry.running.rpc?.port}`,
      apiCaCert: null,
      tls: null,
      registryHost: null,
    },
    silentLogger,
  );
});
afterAll(async () => {
  await web.stop();
  await registry.destroy();
});

const FORM = { "Content-Type": "application/x-www-form-urlencoded" };

test("a chunked form over the limit is 413 before it ends", async () => {
  const connection = await openRawConnection(web.port);
  startChunkedRequest(connection, "POST", "/login", FORM);
  for (let i = 0; i < 4; i++) writeChunk(connection, "a".repeat(32 * 1024));
  const answer = await answerHead(connection, 2000);
  connection.destroy();
  expect(answer).toStartWith("HTTP/1.1 413");
});

test("a Content-Length over the limit is 413 before any of the body is read", async () => {
  const connection = await openRawConnection(web.port);
  connection.write(
    `POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${FORM["Content-Type"]}\r\n` +
      "Content-Length: 100000000\r\n\r\nusername=",
  );
  const answer = await answerHead(connection, 2000);
  connection.destroy();
  expect(answer).toStartWith("HTTP/1.1 413");
});

test("a login form under the limit, padded to 48 KiB, still signs in", async () => {
  const page = await fetch(`${web.url}/login`);
  const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  const body = new URLSearchParams({
    _csrf: csrf,
    username: "admin",
    password: registry.adminPassword,
    padding: "x".repeat(48 * 1024),
  });
  const response = await fetch(`${web.url}/login`, {
    method: "POST",
    headers: { ...FORM, Cookie: cookie },
    body,
    redirect: "manual",
  });
  expect(response.status).toBe(303);
  expect(response.headers.get("location")).toBe("/");
});

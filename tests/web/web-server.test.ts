import { afterAll, beforeAll, expect, test } from "bun:test";
import { createLogger } from "../../src/log/logger.ts";
import { startWebServer, type WebServer } from "../../src/web/web-server.ts";
import { rawGet } from "../helpers/raw-http.ts";

/** A loopback port this test took and let go: the UI is pointed at no one else's socket. */
function releasedPort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

const logLines: string[] = [];
let server: WebServer;
beforeAll(() => {
  server = startWebServer(
    {
      listen: { host: "127.0.0.1", port: 0 },
      apiUrl: `http://127.0.0.1:${releasedPort()}`,
      apiCaCert: null,
      tls: null,
      registryHost: null,
    },
    createLogger({ level: "info", format: "text", write: (line) => logLines.push(line) }),
  );
});
afterAll(() => server.stop());

test("a Host header that forms no URL is a 400 page with the security headers", async () => {
  for (const host of ["a/b", "[::1"]) {
    const answer = await rawGet(server.port, host, "/login");
    const [head = "", body = ""] = answer.split("\r\n\r\n");
    expect(head).toStartWith("HTTP/1.1 400");
    expect(head.toLowerCase()).toContain("content-security-policy: default-src 'none'");
    expect(head.toLowerCase()).toContain("x-frame-options: deny");
    expect(body).toContain("The Host header does not form a valid URL.");
  }
  expect(logLines.join("\n")).not.toContain("    at ");
  expect(logLines.some((line) => line.includes(`path="(invalid URL)" status=400`))).toBe(true);
});

import { afterAll, beforeAll, expect, test } from "bun:test";
import { type AuthRegistry, startAuthRegistry } from "../helpers/auth.ts";
import { answerHead, openRawConnection } from "../helpers/raw-http.ts";

/** The token endpoint's POST form stalls like any other /v2 body: after stall_timeout. */
let registry: AuthRegistry;
beforeAll(async () => {
  registry = await startAuthRegistry({
    MCR_SERVER_STALL_TIMEOUT: "1s",
    MCR_SERVER_IDLE_TIMEOUT: "255s",
  });
});
afterAll(() => registry.destroy());

test("a token form that stops arriving is 408 after stall_timeout, not after 30 s", async () => {
  const connection = await openRawConnection(registry.running.http.port);
  connection.write(
    "POST /v2/token HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
      "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n" +
      "grant_type=",
  );
  const started = Date.now();
  const head = await answerHead(connection, 10_000);
  connection.destroy();
  expect(head).toStartWith("HTTP/1.1 408");
  expect(Date.now() - started).toBeLessThan(8000);
}, 15_000);

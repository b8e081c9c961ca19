import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect } from "node:net";
import { createLogger } from "../../src/log/logger.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

const lines: Array<Record<string, unknown>> = [];
let registry: TestRegistry;
beforeAll(async () => {
  const log = createLogger({
    level: "info",
    format: "json",
    write: (line) => lines.push(JSON.parse(line)),
  });
  registry = await startTestRegistry({ log });
});
afterAll(() => registry.destroy());

/** Starts a PATCH announcing 1 MiB, sends 64 KiB of it, and resets the connection. */
function dropMidBody(path: string): Promise<void> {
  const port = registry.running.http.port;
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(`PATCH ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1048576\r\n\r\n`);
      socket.write(new Uint8Array(65536), () =>
        setTimeout(() => {
          socket.resetAndDestroy();
          resolve();
        }, 100),
      );
    });
    socket.on("error", reject);
  });
}

test("a client that hangs up mid-upload is logged and counted as 499, not as a server error", async () => {
  const opened = await fetch(`${registry.url}/v2/gone/app/blobs/uploads/`, { method: "POST" });
  const path = new URL(opened.headers.get("location") ?? "", registry.url).pathname;

  await dropMidBody(path);
  const deadline = Date.now() + 5000;
  const answered = () => lines.find((line) => line.msg === "request" && line.method === "PATCH");
  while (!answered() && Date.now() < deadline) await Bun.sleep(20);

  expect(answered()).toMatchObject({ path, status: 499 });
  expect(lines.filter((line) => line.level === "error")).toEqual([]);
  const metrics = await (await fetch(`${registry.url}/metrics`)).text();
  expect(metrics).toContain(
    'mcr_http_requests_total{group="v2_uploads",method="PATCH",status="499"} 1',
  );
  expect(metrics).not.toContain('status="500"');
});

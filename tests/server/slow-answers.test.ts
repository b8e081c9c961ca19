import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect } from "node:net";
import { pushBlob } from "../helpers/oci-client.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

const IDLE_TIMEOUT_SECONDS = 1;
let registry: TestRegistry;
beforeAll(async () => {
  registry = await startTestRegistry({
    env: { MCR_SERVER_IDLE_TIMEOUT: `${IDLE_TIMEOUT_SECONDS}s` },
  });
});
afterAll(() => registry.destroy());

/**
 * Sends one keep-alive GET on a raw connection (fetch's pool would close idle connections
 * on its own) and reports the answer and how long after it the server closed the connection.
 */
function getThenIdle(path: string): Promise<{ answer: string; closedAfterMs: number | null }> {
  return new Promise((resolve) => {
    let answer = "";
    let answeredAt = 0;
    const socket = connect(registry.running.http.port, "127.0.0.1", () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    });
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve({ answer, closedAfterMs: null });
    }, IDLE_TIMEOUT_SECONDS * 12_000);
    socket.on("data", (chunk) => {
      answer += chunk.toString();
      answeredAt = Date.now();
    });
    socket.on("close", () => {
      clearTimeout(giveUp);
      resolve({ answer, closedAfterMs: answeredAt ? Date.now() - answeredAt : null });
    });
    socket.on("error", () => {});
  });
}

test("a /v2 answer slower than the idle timeout arrives, and the idle connection then closes", async () => {
  const digest = await pushBlob(registry.url, "slow/app", "some bytes");
  // A slow disk: looking the blob up takes four idle timeouts.
  const blobs = registry.running.registry.blobs;
  const stat = blobs.stat.bind(blobs);
  blobs.stat = async (repository, digestText) => {
    await Bun.sleep(IDLE_TIMEOUT_SECONDS * 4000);
    return stat(repository, digestText);
  };

  let outcome: Awaited<ReturnType<typeof getThenIdle>>;
  try {
    outcome = await getThenIdle(`/v2/slow/app/blobs/${digest}`);
  } finally {
    blobs.stat = stat;
  }

  expect(outcome.answer).toStartWith("HTTP/1.1 200");
  expect(outcome.answer).toEndWith("some bytes");
  // Closed by the server's idle timeout (Bun checks it every few seconds), not left open.
  expect(outcome.closedAfterMs).not.toBeNull();
}, 30_000);

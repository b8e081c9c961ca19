import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { bodyChunks, lentBodyChunks } from "../../src/oci/request-body.ts";
import { isLent, takeChunk } from "../../src/storage/lent-chunks.ts";

/** A request whose body arrives as `parts`, each in a buffer of its own. */
function requestOf(parts: Uint8Array[]): Request {
  const queue = [...parts];
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = queue.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
  return new Request("http://127.0.0.1/upload", { method: "PUT", body, duplex: "half" });
}

const partsOf = (...sizes: number[]) => sizes.map((size, i) => new Uint8Array(size).fill(i + 1));

/** True once a chunk's memory was given back (its buffer detached). */
const freed = (chunk: Uint8Array) => (chunk.buffer as ArrayBuffer).detached;

describe("lentBodyChunks", () => {
  test("a chunk is whole while held and freed once the next is asked for", async () => {
    const chunks = lentBodyChunks(requestOf(partsOf(1000, 2000, 3000)), 30);
    if (!chunks) throw new Error("expected a body");
    const seen: Uint8Array[] = [];
    for await (const chunk of chunks) {
      expect(freed(chunk)).toBe(false);
      expect(chunk.every((byte) => byte === seen.length + 1)).toBe(true);
      seen.push(chunk);
    }
    expect(seen.map(freed)).toEqual([true, true, true]);
  });

  test("a chunk its consumer took keeps its bytes in its own buffer, uncopied", async () => {
    const chunks = lentBodyChunks(requestOf(partsOf(1000, 2000, 3000)), 30);
    if (!chunks) throw new Error("expected a body");
    expect(isLent(chunks)).toBe(true);
    const taken: { buffer: ArrayBuffer; chunkBuffer: ArrayBufferLike }[] = [];
    for await (const chunk of chunks) {
      // Only the first two are taken; the last one is left to the lender.
      if (taken.length < 2)
        taken.push({ buffer: takeChunk(chunk, true), chunkBuffer: chunk.buffer });
    }
    for (const [i, { buffer, chunkBuffer }] of taken.entries()) {
      expect(buffer).toBe(chunkBuffer as ArrayBuffer);
      expect(buffer.detached).toBe(false);
      expect(new Uint8Array(buffer).every((byte) => byte === i + 1)).toBe(true);
    }
  });

  test("the body Bun receives over HTTP comes through whole, each chunk freed after use", async () => {
    const sent = randomBytes(8 * 1024 * 1024);
    const response = await fetch(`${server.url}lent`, { method: "PUT", body: sent });
    const report = (await response.json()) as { digest: string; chunks: number; freed: number };
    expect(report.digest).toBe(createHash("sha256").update(sent).digest("hex"));
    expect(report.chunks).toBeGreaterThan(1);
    // Every chunk but the one in hand when the body ended is given back.
    expect(report.freed).toBeGreaterThanOrEqual(report.chunks - 1);
  });
});

describe("bodyChunks", () => {
  test("leaves every chunk to its consumer, who may keep them", async () => {
    const chunks = bodyChunks(requestOf(partsOf(1000, 2000)), 30);
    if (!chunks) throw new Error("expected a body");
    const kept: Uint8Array[] = [];
    for await (const chunk of chunks) kept.push(chunk);
    expect(kept.map((chunk) => [chunk.length, freed(chunk)])).toEqual([
      [1000, false],
      [2000, false],
    ]);
  });

  test("its chunks are not lent: taking one copies it and leaves the original alone", async () => {
    const chunks = bodyChunks(requestOf(partsOf(1000)), 30);
    if (!chunks) throw new Error("expected a body");
    expect(isLent(chunks)).toBe(false);
    for await (const chunk of chunks) {
      const taken = takeChunk(chunk, isLent(chunks));
      expect(taken).not.toBe(chunk.buffer as ArrayBuffer);
      structuredClone(taken, { transfer: [taken] });
      expect(freed(chunk)).toBe(false);
      expect(chunk.every((byte) => byte === 1)).toBe(true);
    }
  });

  test("an empty body gives no chunks at all", () => {
    const empty = new Request("http://127.0.0.1/upload", {
      method: "PUT",
      body: "",
      headers: { "content-length": "0" },
    });
    expect(bodyChunks(empty, 30)).toBeNull();
    expect(lentBodyChunks(empty, 30)).toBeNull();
  });
});

/**
 * A server that hashes a body read through lentBodyChunks, copying each chunk before asking
 * for the next as an upload does, and counts the chunks whose memory was given back.
 */
let server: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const hash = createHash("sha256");
      const chunks = lentBodyChunks(request, 30);
      const received: Uint8Array[] = [];
      for await (const chunk of chunks ?? []) {
        hash.update(chunk);
        received.push(chunk);
      }
      return Response.json({
        digest: hash.digest("hex"),
        chunks: received.length,
        freed: received.filter(freed).length,
      });
    },
  });
});
afterAll(() => server.stop(true));

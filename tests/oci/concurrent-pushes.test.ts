/**
 * Concurrent pushes over real HTTP: the store writes each chunk from the buffer Bun read it
 * into, then hands that buffer to the hashing thread. Each blob pulled back must be the bytes
 * sent, byte for byte: a buffer that Bun reused before its write finished would still match
 * the digest (hashed from the same memory) but not the file.
 */
import { afterAll, beforeAll, expect, spyOn, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { RunningHash } from "../../src/storage/hash-thread.ts";
import { pushBlob } from "../helpers/oci-client.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startTestRegistry();
});
afterAll(() => registry.destroy());

test("12 blobs pushed at once come back exactly as sent", async () => {
  const direct = spyOn(RunningHash.prototype, "take");
  try {
    const blobs = Array.from({ length: 12 }, (_, i) => randomBytes(3 * 1024 * 1024 + i * 7919));
    const digests = await Promise.all(
      blobs.map((blob) => pushBlob(registry.url, "crowd/app", blob)),
    );
    expect(direct).toHaveBeenCalled();
    for (const [i, digest] of digests.entries()) {
      const pulled = await fetch(`${registry.url}/v2/crowd/app/blobs/${digest}`);
      expect(pulled.status).toBe(200);
      expect(Buffer.from(await pulled.arrayBuffer()).equals(blobs[i] as Buffer)).toBe(true);
    }
  } finally {
    direct.mockRestore();
  }
});

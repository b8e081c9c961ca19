/**
 * Property: chunks PATCHed to one upload at the same time, each claiming a Content-Range,
 * are taken one at a time: every 202 chunk sits at the offset it claimed, every refused one
 * left no byte, and the upload commits under the digest of exactly the accepted bytes.
 * Runs: MCR_FUZZ_RUNS; replay: MCR_FUZZ_SEED and MCR_FUZZ_PATH (see fuzz-settings.ts).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { sha256 } from "../helpers/oci-client.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";
import { checkProperty, timeoutFor } from "./fuzz-settings.ts";
import { expectOciAnswer, expectRegistryAlive } from "./oci-answer.ts";
import { rawRequest } from "./raw-request.ts";

let registry: TestRegistry;
let port: number;
const NAME = "fuzz/concurrent";

beforeAll(async () => {
  registry = await startTestRegistry();
  port = Number(new URL(registry.url).port);
});
afterAll(() => registry.destroy());

/** A chunk: its bytes and the offset it claims (often a right one, sometimes not). */
const chunk = fc.record({
  data: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  claim: fc.integer({ min: 0, max: 200 }),
  withRange: fc.integer({ min: 0, max: 4 }).map((n) => n !== 0),
});

test(
  "concurrent ranged chunks are serialised: what was accepted is exactly what is stored",
  async () => {
    await checkProperty(
      fc.array(chunk, { minLength: 2, maxLength: 6 }),
      async (chunks) => {
        const opened = await rawRequest(port, {
          method: "POST",
          target: `/v2/${NAME}/blobs/uploads/`,
        });
        const location = opened.headers.get("location") ?? "";

        // Claims of 0 line up with an empty upload; later ones with what a client expects.
        let expectedOffset = 0;
        const sent = chunks.map((c, index) => {
          const start = index === 0 || c.claim % 3 === 0 ? expectedOffset : c.claim;
          expectedOffset += c.data.length;
          return { ...c, start };
        });
        const answers = await Promise.all(
          sent.map((c) => {
            const end = c.start + c.data.length - 1;
            const headers: Record<string, string> = c.withRange
              ? { "Content-Range": `${c.start}-${end}` }
              : {};
            return rawRequest(port, { method: "PATCH", target: location, headers, body: c.data });
          }),
        );

        // Each 202's Range says where its chunk ended; rebuild the upload from them.
        const accepted: Array<{ start: number; data: Uint8Array }> = [];
        answers.forEach((answer, index) => {
          const c = sent[index] as (typeof sent)[number];
          const code = expectOciAnswer(answer, `chunk ${index}`, [
            202,
            [416, "BLOB_UPLOAD_INVALID"],
          ]);
          if (code !== null) return;
          const end = Number(/^0-(\d+)$/.exec(answer.headers.get("range") ?? "")?.[1]);
          const start = end + 1 - c.data.length;
          if (c.withRange) expect(start).toBe(c.start);
          accepted.push({ start, data: c.data });
        });
        accepted.sort((a, b) => a.start - b.start);
        let offset = 0;
        for (const piece of accepted) {
          expect(piece.start).toBe(offset);
          offset += piece.data.length;
        }
        const content = Buffer.concat(accepted.map((piece) => piece.data));
        const done = await rawRequest(port, {
          method: "PUT",
          target: `${location}?digest=${sha256(content)}`,
        });
        expectOciAnswer(done, "commit", [201]);
      },
      60,
    );
    await expectRegistryAlive(port);
  },
  timeoutFor(60),
);

/**
 * Property: Range on blob GET and Content-Range on upload PATCH, valid or hostile (huge
 * numbers, reversed, several ranges, other units, junk), get a correct partial answer, the
 * whole blob, or the spec's 416/400 with BLOB_UPLOAD_INVALID or SIZE_INVALID, never a 5xx;
 * and a refused chunk leaves the upload exactly as it was.
 * Runs: MCR_FUZZ_RUNS; replay: MCR_FUZZ_SEED and MCR_FUZZ_PATH (see fuzz-settings.ts).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { pushBlob } from "../helpers/oci-client.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";
import { checkProperty, timeoutFor } from "./fuzz-settings.ts";
import { expectOciAnswer, expectRegistryAlive } from "./oci-answer.ts";
import { type RawAnswer, rawRequest } from "./raw-request.ts";

let registry: TestRegistry;
let port: number;
const NAME = "fuzz/ranges";
const BLOB = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 7) % 256));
let digest: string;

beforeAll(async () => {
  registry = await startTestRegistry();
  port = Number(new URL(registry.url).port);
  digest = await pushBlob(registry.url, NAME, BLOB);
});
afterAll(() => registry.destroy());

/** Numbers as they appear in headers: small, near the blob size, and far past 2^53. */
const position = fc.oneof(
  fc.integer({ min: 0, max: 120 }).map(String),
  fc.constantFrom("", "0", "00", "99", "100", "101", "-1", "9007199254740993", "9".repeat(25)),
);

const rangeHeader = fc.oneof(
  { arbitrary: fc.tuple(position, position).map(([a, b]) => `bytes=${a}-${b}`), weight: 6 },
  {
    arbitrary: fc.constantFrom(
      "bytes=0-1,5-6",
      "bytes=-0",
      "bytes=--1",
      "bytes= 0-1",
      " bytes=0-1 ",
      "BYTES=0-1",
      "items=0-1",
      "bytes=0x10-0x20",
      "bytes=1e1-2e1",
      "bytes=",
      "bytes",
      "=",
      "bytes=0-1/100",
    ),
    weight: 2,
  },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
);

/** What RFC 9110 asks for a single `bytes=<a>-<b>` against 100 bytes; null when not that form. */
function expectedRange(header: string): { start: number; end: number } | "416" | "whole" | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header);
  if (!match) return null;
  const [, a = "", b = ""] = match;
  if (a === "" && b === "") return "whole";
  if (a === "") {
    const suffix = Number(b);
    return suffix === 0 ? "416" : { start: Math.max(0, 100 - suffix), end: 99 };
  }
  if (b !== "" && Number(b) < Number(a)) return "whole";
  if (Number(a) >= 100) return "416";
  return { start: Number(a), end: b === "" ? 99 : Math.min(Number(b), 99) };
}

function checkBlobAnswer(answer: RawAnswer, header: string) {
  const context = `Range: ${JSON.stringify(header)}`;
  expectOciAnswer(answer, context, [200, 206, [416, "SIZE_INVALID"]]);
  const expected = expectedRange(header);
  if (answer.status === 200) {
    expect(answer.body.equals(BLOB)).toBe(true);
    if (expected !== null) expect({ context, expected }).toEqual({ context, expected: "whole" });
    return;
  }
  if (answer.status === 416) {
    expect(answer.headers.get("content-range")).toBe("bytes */100");
    if (expected !== null) expect({ context, expected }).toEqual({ context, expected: "416" });
    return;
  }
  const match = /^bytes (\d+)-(\d+)\/100$/.exec(answer.headers.get("content-range") ?? "");
  expect({ context, contentRange: answer.headers.get("content-range") }).toMatchObject({
    contentRange: expect.stringMatching(/^bytes \d+-\d+\/100$/),
  });
  const start = Number(match?.[1]);
  const end = Number(match?.[2]);
  expect(start <= end && end < 100).toBe(true);
  expect(answer.body.equals(BLOB.subarray(start, end + 1))).toBe(true);
  expect(answer.headers.get("content-length")).toBe(String(end - start + 1));
  if (expected !== null) {
    expect({ context, got: { start, end } as typeof expected }).toEqual({ context, got: expected });
  }
}

test(
  "blob GET honours or ignores a hostile Range, and every byte sent is the blob's",
  async () => {
    await checkProperty(
      rangeHeader,
      async (header) => {
        const answer = await rawRequest(port, {
          method: "GET",
          target: `/v2/${NAME}/blobs/${digest}`,
          headers: { Range: header },
        });
        checkBlobAnswer(answer, header);
      },
      300,
    );
    await expectRegistryAlive(port);
  },
  timeoutFor(300),
);

const contentRange = fc.oneof(
  { arbitrary: fc.tuple(position, position).map(([a, b]) => `${a}-${b}`), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 8 }).map((n) => `4-${3 + n}`), weight: 3 },
  {
    arbitrary: fc.tuple(position, position).map(([a, b]) => `bytes ${a}-${b}/*`),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom("bytes */4", "4-", "-4", "4-5,6-7", "4 - 5", "0x4-0x5", "bytes=4-5"),
    weight: 1,
  },
  { arbitrary: fc.string({ maxLength: 16 }), weight: 1 },
);

test(
  "upload PATCH with a hostile Content-Range appends exactly or refuses and changes nothing",
  async () => {
    await checkProperty(
      fc.record({ header: contentRange, length: fc.integer({ min: 0, max: 8 }) }),
      async ({ header, length }) => {
        const opened = await rawRequest(port, {
          method: "POST",
          target: `/v2/${NAME}/blobs/uploads/`,
        });
        const location = opened.headers.get("location") ?? "";
        await rawRequest(port, { method: "PATCH", target: location, body: "head" });

        const answer = await rawRequest(port, {
          method: "PATCH",
          target: location,
          headers: { "Content-Range": header },
          body: "x".repeat(length),
        });
        const context = `Content-Range: ${JSON.stringify(header)} with ${length} bytes`;
        const code = expectOciAnswer(answer, context, [
          202,
          [400, "BLOB_UPLOAD_INVALID"],
          [416, "BLOB_UPLOAD_INVALID"],
        ]);
        const status = await rawRequest(port, { method: "GET", target: location });
        const size = code === null ? 4 + length : 4;
        expect({ context, range: status.headers.get("range") }).toEqual({
          context,
          range: `0-${size - 1}`,
        });
        if (code === null) expect(answer.headers.get("range")).toBe(`0-${size - 1}`);
        // The spec's own form, <start>-<end>, is judged exactly.
        const spec = /^(\d+)-(\d+)$/.exec(header);
        if (spec) {
          const [start, end] = [Number(spec[1]), Number(spec[2])];
          const expected =
            end < start || end - start + 1 !== length ? 400 : start !== 4 ? 416 : 202;
          expect({ context, status: answer.status }).toEqual({ context, status: expected });
        }
        await rawRequest(port, { method: "DELETE", target: location });
      },
      150,
    );
    await expectRegistryAlive(port);
  },
  timeoutFor(150),
);

/**
 * Property: whatever repository name a /v2 path carries (valid, near miss, encoded dot
 * segments, backslashes, NUL, very long, upper case, unicode), the answer is the spec's
 * error for it (NAME_INVALID, NAME_UNKNOWN, ...) or a valid success, never a 5xx.
 * Runs: MCR_FUZZ_RUNS; replay: MCR_FUZZ_SEED and MCR_FUZZ_PATH (see fuzz-settings.ts).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { pushImage } from "../helpers/oci-client.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";
import { anyName, isValidName } from "./arbitraries.ts";
import { checkProperty, timeoutFor } from "./fuzz-settings.ts";
import {
  expectAnswerForOtherPath,
  expectOciAnswer,
  expectRegistryAlive,
  type Outcome,
} from "./oci-answer.ts";
import { asTargetSegment, rawRequest, resolvedPath } from "./raw-request.ts";

let registry: TestRegistry;
let port: number;
const PRESENT = "fuzz/present";
const ABSENT_DIGEST = `sha256:${"0".repeat(64)}`;

beforeAll(async () => {
  registry = await startTestRegistry();
  port = Number(new URL(registry.url).port);
  await pushImage(registry.url, PRESENT, "latest");
});
afterAll(() => registry.destroy());

/** One /v2 endpoint below a name, and what a valid name that holds nothing gets there. */
interface Endpoint {
  method: string;
  suffix: string;
  forValidName: readonly Outcome[];
}

const ENDPOINTS: Endpoint[] = [
  { method: "GET", suffix: "/tags/list", forValidName: [200, [404, "NAME_UNKNOWN"]] },
  {
    method: "GET",
    suffix: "/manifests/latest",
    forValidName: [200, [404, "NAME_UNKNOWN"], [404, "MANIFEST_UNKNOWN"]],
  },
  {
    method: "DELETE",
    suffix: "/manifests/absent",
    forValidName: [
      [404, "NAME_UNKNOWN"],
      [404, "MANIFEST_UNKNOWN"],
    ],
  },
  { method: "GET", suffix: `/blobs/${ABSENT_DIGEST}`, forValidName: [[404, "BLOB_UNKNOWN"]] },
  { method: "POST", suffix: "/blobs/uploads/", forValidName: [202] },
  {
    method: "GET",
    suffix: `/blobs/uploads/${crypto.randomUUID()}`,
    forValidName: [[404, "BLOB_UPLOAD_UNKNOWN"]],
  },
  { method: "GET", suffix: `/referrers/${ABSENT_DIGEST}`, forValidName: [200] },
];

const NAMES = fc.oneof(
  { arbitrary: anyName, weight: 9 },
  { arbitrary: fc.constant(PRESENT), weight: 1 },
);

test(
  "every endpoint answers a hostile repository name with NAME_INVALID or a valid answer",
  async () => {
    await checkProperty(
      fc.record({ name: NAMES, endpoint: fc.constantFrom(...ENDPOINTS) }),
      async ({ name, endpoint }) => {
        const target = `/v2/${asTargetSegment(name)}${endpoint.suffix}`;
        const answer = await rawRequest(port, { method: endpoint.method, target });
        const context = `${endpoint.method} ${target}`;
        const path = resolvedPath(target);

        // Dot segments and backslashes are resolved by the HTTP layer before MCR sees the
        // path (RFC 3986 5.2.4): the request then names another resource, checked loosely.
        if (path !== target) return expectAnswerForOtherPath(answer, target);
        const seen = path.slice(4, path.length - endpoint.suffix.length);
        // An empty name leaves no <name> segment: the path is no endpoint of the spec.
        const allowed: readonly Outcome[] =
          seen === ""
            ? [[404, "UNSUPPORTED"]]
            : isValidName(seen)
              ? endpoint.forValidName
              : [[400, "NAME_INVALID"]];
        expectOciAnswer(answer, context, allowed);
      },
      300,
    );
    await expectRegistryAlive(port);
  },
  timeoutFor(300),
);

test("raw NUL, space, tab or UTF-8 on the request line is refused; the server stays up", async () => {
  // Bun's HTTP parser answers a request line it cannot split (NUL, space, tab) with 505
  // before any application code runs (Bun 1.4.4); raw UTF-8 reaches MCR and is no name.
  const refusals: Record<string, readonly number[]> = {
    "/v2/a\u0000b/tags/list": [400, 505],
    "/v2/a b/tags/list": [400, 505],
    "/v2/a\tb/tags/list": [400, 505],
    "/v2/\u00e9/tags/list": [400],
  };
  for (const [target, statuses] of Object.entries(refusals)) {
    const answer = await rawRequest(port, { method: "GET", target });
    expect({ target, refused: statuses.includes(answer.status) }).toEqual({
      target,
      refused: true,
    });
    await expectRegistryAlive(port);
  }
});

test("names at the length limit: 255 characters are a name, 256 are NAME_INVALID", async () => {
  const longest = "a".repeat(255);
  const tooLong = "a".repeat(256);
  const ok = await rawRequest(port, { method: "GET", target: `/v2/${longest}/tags/list` });
  expectOciAnswer(ok, "255", [[404, "NAME_UNKNOWN"]]);
  const refused = await rawRequest(port, { method: "GET", target: `/v2/${tooLong}/tags/list` });
  expectOciAnswer(refused, "256", [[400, "NAME_INVALID"]]);
});

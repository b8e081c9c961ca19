/**
 * Property: tags and digests in /v2 paths and query strings (valid, near misses, wrong
 * algorithm or length, upper-case hex, sha512, encoded separators) get the spec's answer:
 * MANIFEST_UNKNOWN, MANIFEST_INVALID, DIGEST_INVALID, BLOB_UNKNOWN, or a valid success.
 * Runs: MCR_FUZZ_RUNS; replay: MCR_FUZZ_SEED and MCR_FUZZ_PATH (see fuzz-settings.ts).
 */
import { afterAll, beforeAll, test } from "bun:test";
import fc from "fast-check";
import { pushImage, sha256 } from "../helpers/oci-client.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";
import {
  anyDigest,
  anyReference,
  isValidDigest,
  isValidTag,
  withHostilePiece,
} from "./arbitraries.ts";
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
const NAME = "fuzz/refs";
let image: Awaited<ReturnType<typeof pushImage>>;

beforeAll(async () => {
  registry = await startTestRegistry();
  port = Number(new URL(registry.url).port);
  image = await pushImage(registry.url, NAME, "latest");
});
afterAll(() => registry.destroy());

/**
 * The reference as the server sees it, or null when it is no single path segment: the HTTP
 * layer folded dot segments, or a slash made the path another endpoint's (checked loosely).
 */
function seenReference(target: string, prefix: string): string | null {
  const path = resolvedPath(target);
  const seen = path.slice(prefix.length);
  return path === target && seen !== "" && !seen.includes("/") ? seen : null;
}

const REFERENCES = fc.oneof(
  { arbitrary: anyReference, weight: 9 },
  { arbitrary: fc.constant("latest"), weight: 1 },
);

test(
  "manifest GET and DELETE answer a hostile reference with the spec's code",
  async () => {
    await checkProperty(
      fc.record({ reference: REFERENCES, method: fc.constantFrom("GET", "DELETE") }),
      async ({ reference, method }) => {
        const prefix = `/v2/${NAME}/manifests/`;
        const target = prefix + asTargetSegment(reference);
        // Deleting what exists would change what later runs see; "latest" is only read.
        if (method === "DELETE" && reference === "latest") return;
        const answer = await rawRequest(port, { method, target });
        const seen = seenReference(target, prefix);
        if (seen === null) return expectAnswerForOtherPath(answer, target);

        let allowed: Outcome[];
        if (seen.includes(":")) {
          allowed = isValidDigest(seen) ? [[404, "MANIFEST_UNKNOWN"]] : [[400, "DIGEST_INVALID"]];
        } else {
          // No manifest can be stored under a malformed tag: reading one is "unknown".
          allowed = [[404, "MANIFEST_UNKNOWN"]];
        }
        if (seen === "latest" || seen === image.digest) allowed.push(200);
        expectOciAnswer(answer, `${method} ${target}`, allowed);
      },
      300,
    );
    await expectRegistryAlive(port);
  },
  timeoutFor(300),
);

test(
  "manifest PUT under a hostile reference: 201 for a tag or its own digest, else the code",
  async () => {
    await checkProperty(
      fc.oneof(
        { arbitrary: anyReference, weight: 9 },
        { arbitrary: fc.constant(image.digest), weight: 1 },
      ),
      async (reference) => {
        const prefix = `/v2/${NAME}/manifests/`;
        const target = prefix + asTargetSegment(reference);
        const answer = await rawRequest(port, {
          method: "PUT",
          target,
          headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" },
          body: image.manifest,
        });
        const seen = seenReference(target, prefix);
        if (seen === null) return expectAnswerForOtherPath(answer, target);

        let allowed: Outcome[];
        if (seen.includes(":")) {
          allowed = seen === image.digest ? [201] : [[400, "DIGEST_INVALID"]];
        } else {
          allowed = isValidTag(seen) ? [201] : [[400, "MANIFEST_INVALID"]];
        }
        expectOciAnswer(answer, `PUT ${target}`, allowed);
      },
      100,
    );
    await expectRegistryAlive(port);
  },
  timeoutFor(100),
);

test(
  "blob GET and DELETE, and referrers, answer a hostile digest with the spec's code",
  async () => {
    const resources = ["blobs", "referrers"] as const;
    await checkProperty(
      fc.record({
        digest: fc.oneof(
          { arbitrary: anyDigest, weight: 9 },
          { arbitrary: fc.constant(image.layerDigest), weight: 1 },
        ),
        resource: fc.constantFrom(...resources),
        method: fc.constantFrom("GET", "DELETE"),
      }),
      async ({ digest, resource, method }) => {
        const prefix = `/v2/${NAME}/${resource}/`;
        const target = prefix + asTargetSegment(digest);
        const verb = resource === "referrers" ? "GET" : method;
        // Deleting the image's layer link would change what later runs see.
        if (verb === "DELETE" && digest === image.layerDigest) return;
        const answer = await rawRequest(port, { method: verb, target });
        const seen = seenReference(target, prefix);
        if (seen === null) return expectAnswerForOtherPath(answer, target);

        let allowed: Outcome[];
        if (!isValidDigest(seen)) allowed = [[400, "DIGEST_INVALID"]];
        else if (resource === "referrers") allowed = [200];
        else if (seen === image.layerDigest) allowed = [200];
        else allowed = [[404, "BLOB_UNKNOWN"]];
        expectOciAnswer(answer, `${verb} ${target}`, allowed);
      },
      300,
    );
    await expectRegistryAlive(port);
  },
  timeoutFor(300),
);

test(
  "finishing an upload with a hostile ?digest= is DIGEST_INVALID unless it is the content's",
  async () => {
    const content = "fuzzed upload content";
    await checkProperty(
      fc.oneof(
        { arbitrary: anyDigest, weight: 9 },
        { arbitrary: fc.constant(sha256(content)), weight: 1 },
      ),
      async (digest) => {
        const opened = await rawRequest(port, {
          method: "POST",
          target: `/v2/${NAME}/blobs/uploads/`,
        });
        const location = opened.headers.get("location") ?? "";
        const target = `${location}?digest=${encodeURIComponent(digest)}`;
        const answer = await rawRequest(port, { method: "PUT", target, body: content });
        const allowed: Outcome[] = digest === sha256(content) ? [201] : [[400, "DIGEST_INVALID"]];
        expectOciAnswer(answer, `PUT ${target}`, allowed);
        // A refused digest leaves the session open: the client may retry with the right one.
        await rawRequest(port, { method: "DELETE", target: location });
      },
      100,
    );
    await expectRegistryAlive(port);
  },
  timeoutFor(100),
);

const uploadIdText = fc.oneof(
  fc.uuid(),
  fc.uuid().map((id) => id.toUpperCase()),
  fc.uuid().map((id) => id.replaceAll("-", "")),
  withHostilePiece(fc.uuid()),
  fc.string({ maxLength: 40 }),
);

test(
  "an upload id that names no session is BLOB_UPLOAD_UNKNOWN on every upload method",
  async () => {
    const digest = sha256("x");
    await checkProperty(
      fc.record({ id: uploadIdText, method: fc.constantFrom("GET", "PATCH", "PUT", "DELETE") }),
      async ({ id, method }) => {
        const prefix = `/v2/${NAME}/blobs/uploads/`;
        const path = prefix + asTargetSegment(id);
        const target = method === "PUT" ? `${path}?digest=${digest}` : path;
        const body = method === "PATCH" || method === "PUT" ? "x" : undefined;
        const answer = await rawRequest(port, { method, target, body });
        if (seenReference(path, prefix) === null) {
          return expectAnswerForOtherPath(answer, target);
        }
        expectOciAnswer(answer, `${method} ${target}`, [[404, "BLOB_UPLOAD_UNKNOWN"]]);
      },
      150,
    );
    await expectRegistryAlive(port);
  },
  timeoutFor(150),
);

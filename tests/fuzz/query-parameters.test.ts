/**
 * Property: hostile query parameters (n and last on tags/list and _catalog; digest, mount
 * and from on upload POST; artifactType on referrers) get a valid page or the spec's
 * PAGINATION_NUMBER_INVALID, DIGEST_INVALID or NAME_INVALID, never a 5xx, and a refused
 * upload leaves no file behind.
 * Runs: MCR_FUZZ_RUNS; replay: MCR_FUZZ_SEED and MCR_FUZZ_PATH (see fuzz-settings.ts).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { pushImage } from "../helpers/oci-client.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";
import { anyDigest, anyName, hostilePiece, isValidDigest, isValidName } from "./arbitraries.ts";
import { checkProperty, timeoutFor } from "./fuzz-settings.ts";
import { expectOciAnswer, expectRegistryAlive, type Outcome } from "./oci-answer.ts";
import { rawRequest } from "./raw-request.ts";

let registry: TestRegistry;
let port: number;
const NAME = "fuzz/query";
const TAGS = ["a", "b", "c", "d", "e"];
let image: Awaited<ReturnType<typeof pushImage>>;

beforeAll(async () => {
  registry = await startTestRegistry();
  port = Number(new URL(registry.url).port);
  for (const tag of TAGS) image = await pushImage(registry.url, NAME, tag, "same");
  await pushImage(registry.url, "fuzz/other", "x");
});
afterAll(() => registry.destroy());

const queryText = fc.oneof(
  fc.integer({ min: 0, max: 8 }).map(String),
  fc.constantFrom("", "-1", "+1", "1.5", "1e3", "0x10", " 1", "007", "999999999", "1000000000"),
  fc.constantFrom("9".repeat(30), "NaN", "Infinity", "null", "%00", "\u0000"),
  hostilePiece,
  fc.string({ maxLength: 10 }),
);

/** `?name=value&...`, each value percent-encoded so the server reads exactly it. */
function query(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`);
  return parts.length === 0 ? "" : `?${parts.join("&")}`;
}

function comesAfter(item: string, last: string, ignoringCase: boolean): boolean {
  const fold = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (ignoringCase && fold(item) !== fold(last)) return fold(item) > fold(last);
  return item > last;
}

test(
  "tags/list and _catalog page through hostile n and last, or refuse n",
  async () => {
    await checkProperty(
      fc.record({
        catalog: fc.boolean(),
        n: fc.option(queryText, { nil: undefined }),
        last: fc.option(fc.oneof(queryText, fc.constantFrom(...TAGS)), { nil: undefined }),
      }),
      async ({ catalog, n, last }) => {
        const path = catalog ? "/v2/_catalog" : `/v2/${NAME}/tags/list`;
        const target = path + query({ n, last });
        const answer = await rawRequest(port, { method: "GET", target });
        const nIsValid = n === undefined || n === "" || /^\d{1,9}$/.test(n);
        const allowed: Outcome[] = nIsValid ? [200] : [[400, "PAGINATION_NUMBER_INVALID"]];
        if (expectOciAnswer(answer, target, allowed) !== null) return;

        const body = JSON.parse(answer.body.toString("utf8")) as Record<string, unknown>;
        const items = (catalog ? body.repositories : body.tags) as string[];
        const all = catalog ? ["fuzz/other", NAME] : TAGS;
        // A page is the sorted entries after `last`, at most n of them: repositories in byte
        // order, tags case-insensitively (ASCII only, as SQLite's NOCASE) then by bytes.
        const after = last ? all.filter((item) => comesAfter(item, last, !catalog)) : all;
        const limit = n === undefined || n === "" ? after.length : Number(n);
        expect({ target, items }).toEqual({ target, items: after.slice(0, limit) });
        const link = answer.headers.get("link");
        if (limit < after.length && limit > 0) expect(link).toContain('rel="next"');
        else expect(link ?? null).toBeNull();
      },
      200,
    );
    await expectRegistryAlive(port);
  },
  timeoutFor(200),
);

test(
  "upload POST with hostile digest, mount and from: a blob, a session or the spec's code",
  async () => {
    await checkProperty(
      fc.record({
        digest: fc.option(anyDigest, { nil: undefined }),
        mount: fc.option(fc.oneof(anyDigest, fc.constant(image.layerDigest)), { nil: undefined }),
        from: fc.option(fc.oneof(anyName, fc.constant(NAME)), { nil: undefined }),
      }),
      async ({ digest, mount, from }) => {
        const target = `/v2/fuzz/target/blobs/uploads/${query({ digest, mount, from })}`;
        const answer = await rawRequest(port, { method: "POST", target, body: "body" });

        let allowed: Outcome[];
        if (mount !== undefined && from !== undefined) {
          if (!isValidName(from)) allowed = [[400, "NAME_INVALID"]];
          else if (!isValidDigest(mount)) allowed = [[400, "DIGEST_INVALID"]];
          else allowed = from === NAME && mount === image.layerDigest ? [201] : [202];
        } else if (mount === undefined && digest !== undefined) {
          // The body "body" matches no generated digest: a whole upload is refused.
          allowed = [[400, "DIGEST_INVALID"]];
        } else {
          allowed = [202];
        }
        expectOciAnswer(answer, `POST ${target}`, allowed);
        const location = answer.headers.get("location");
        if (answer.status === 202 && location) {
          await rawRequest(port, { method: "DELETE", target: location });
        }
        // Refused or cancelled, nothing stays in uploads/.
        expect(readdirSync(join(registry.dataDir, "uploads"))).toEqual([]);
      },
      150,
    );
    await expectRegistryAlive(port);
  },
  timeoutFor(150),
);

test(
  "referrers with a hostile artifactType is an index, filtered or not",
  async () => {
    await checkProperty(
      fc.option(fc.oneof(queryText, fc.string({ unit: "grapheme", maxLength: 8 })), {
        nil: undefined,
      }),
      async (artifactType) => {
        const target = `/v2/${NAME}/referrers/${image.digest}${query({ artifactType })}`;
        const answer = await rawRequest(port, { method: "GET", target });
        expectOciAnswer(answer, target, [200]);
        const index = JSON.parse(answer.body.toString("utf8")) as { manifests: unknown[] };
        expect(index.manifests).toEqual([]);
        const filtered = answer.headers.get("oci-filters-applied");
        expect(filtered ?? null).toBe(artifactType ? "artifactType" : null);
      },
      100,
    );
  },
  timeoutFor(100),
);

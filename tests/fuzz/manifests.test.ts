/**
 * Property: a manifest PUT with a hostile body (valid-looking documents with wrong types,
 * missing fields, huge numbers, bad digests, nulls in arrays, unicode, duplicate keys, a
 * Content-Type that disagrees with mediaType, indexes of indexes) is stored byte for byte
 * or refused with MANIFEST_INVALID, MANIFEST_BLOB_UNKNOWN or SIZE_INVALID, never a 5xx.
 * Runs: MCR_FUZZ_RUNS; replay: MCR_FUZZ_SEED and MCR_FUZZ_PATH (see fuzz-settings.ts).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { pushImage, sha256 } from "../helpers/oci-client.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";
import { nearMissDigest, validDigest } from "./arbitraries.ts";
import { checkProperty, timeoutFor } from "./fuzz-settings.ts";
import { expectOciAnswer, expectRegistryAlive } from "./oci-answer.ts";
import { rawRequest } from "./raw-request.ts";

let registry: TestRegistry;
let port: number;
const NAME = "fuzz/manifests";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

/** Documents that push as they are; each case bends one of them. */
let bases: Array<Record<string, unknown>>;

beforeAll(async () => {
  registry = await startTestRegistry();
  port = Number(new URL(registry.url).port);
  const image = await pushImage(registry.url, NAME, "child");
  const parsed = JSON.parse(image.manifest) as Record<string, unknown> & {
    config: Record<string, unknown>;
  };
  const child = { mediaType: OCI_MANIFEST, digest: image.digest, size: image.manifest.length };
  const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [child] };
  const indexText = JSON.stringify(index);
  const pushed = await rawRequest(port, {
    method: "PUT",
    target: `/v2/${NAME}/manifests/index`,
    headers: { "Content-Type": OCI_INDEX },
    body: indexText,
  });
  expect(pushed.status).toBe(201);
  const nested = { mediaType: OCI_INDEX, digest: sha256(indexText), size: indexText.length };
  bases = [
    parsed,
    { ...parsed, mediaType: DOCKER_MANIFEST },
    { ...parsed, artifactType: "application/vnd.example+type", subject: child },
    index,
    { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [child, nested] },
    { schemaVersion: 2, mediaType: DOCKER_LIST, manifests: [{ ...child, platform: {} }] },
  ];
});
afterAll(() => registry.destroy());

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  nearMissDigest,
  validDigest,
  fc.constantFrom(
    null,
    [null],
    [],
    {},
    -1,
    1.5,
    2 ** 53,
    Number.MAX_VALUE,
    "2",
    1,
    3,
    "",
    "\u0000",
    "\u{1F4E6}",
    OCI_MANIFEST,
    OCI_INDEX,
    DOCKER_MANIFEST,
    DOCKER_LIST,
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
  ),
);

/** Where a value can be bent: a path of keys and indexes into the document. */
const fieldPath = fc.constantFrom(
  ["schemaVersion"],
  ["mediaType"],
  ["artifactType"],
  ["annotations"],
  ["annotations", "k"],
  ["subject"],
  ["subject", "digest"],
  ["subject", "size"],
  ["config"],
  ["config", "digest"],
  ["config", "size"],
  ["config", "mediaType"],
  ["layers"],
  ["layers", 0],
  ["layers", 0, "digest"],
  ["layers", 0, "size"],
  ["layers", 0, "mediaType"],
  ["layers", 0, "annotations"],
  ["layers", 1],
  ["manifests"],
  ["manifests", 0],
  ["manifests", 0, "digest"],
  ["manifests", 0, "size"],
  ["manifests", 0, "mediaType"],
  ["manifests", 1],
  ["manifests", 2],
);

type Edit = { path: ReadonlyArray<string | number>; value: unknown; remove: boolean };

function applyEdit(document: unknown, edit: Edit): unknown {
  const copy = structuredClone(document) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const key of edit.path.slice(0, -1)) {
    const next = at[key];
    if (typeof next !== "object" || next === null) return copy;
    at = next as Record<string | number, unknown>;
  }
  const last = edit.path.at(-1) as string | number;
  if (edit.remove) delete at[last];
  else at[last] = edit.value;
  return copy;
}

/** Text-level damage JSON.stringify cannot make: duplicate keys, 1e400, BOM, stray bytes. */
const textDamage = fc.constantFrom(
  (text: string) => text,
  (text: string) => text,
  (text: string) => text,
  (text: string) => text,
  (text: string) => text,
  (text: string) => text.replace("{", '{"schemaVersion":1,'),
  (text: string) => text.replace("{", '{"mediaType":"application/vnd.oci.image.index.v1+json",'),
  (text: string) => text.replace(/"size":\d+/, '"size":1e400'),
  (text: string) => text.replace(/"size":\d+/, '"size":99999999999999999999'),
  (text: string) => text.replace(/"size":\d+/, '"size":-0'),
  (text: string) => `\uFEFF${text}`,
  (text: string) => `${text} x`,
  (text: string) => text.slice(0, text.length >> 1),
  (text: string) => `[${text}]`,
);

/** "same" sends the document's own mediaType, so that many cases get past that check. */
const contentType = fc.constantFrom(
  "same",
  "same",
  "same",
  OCI_MANIFEST,
  OCI_INDEX,
  DOCKER_MANIFEST,
  DOCKER_LIST,
  `${OCI_MANIFEST}; charset=utf-8`,
  OCI_MANIFEST.toUpperCase(),
  "application/json",
  "application/x-www-form-urlencoded",
  "",
  "text/plain;;;",
);

/** Edits that keep a document plausible: another digest, another size. */
const plausibleValue: fc.Arbitrary<unknown> = fc.oneof(
  validDigest,
  fc.integer({ min: 0, max: 2000 }),
);

const edit = fc.record({
  path: fieldPath,
  value: fc.oneof({ arbitrary: hostileValue, weight: 2 }, { arbitrary: plausibleValue, weight: 1 }),
  remove: fc.boolean(),
});

const pushCase = fc.record({
  base: fc.nat(),
  edits: fc.oneof(fc.constant<Edit[]>([]), fc.array(edit, { minLength: 1, maxLength: 3 })),
  damage: textDamage,
  contentType,
  invalidUtf8: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
  byDigest: fc.boolean(),
});

let pushes = 0;

test(
  "a hostile manifest is stored exactly or refused with the spec's code",
  async () => {
    await checkProperty(
      pushCase,
      async (c) => {
        const base = bases[c.base % bases.length];
        const edits: Edit[] = c.edits;
        const document = edits.reduce<unknown>((doc, edit) => applyEdit(doc, edit), base);
        const text = c.damage(JSON.stringify(document));
        const body = c.invalidUtf8
          ? Buffer.concat([Buffer.from(text), Buffer.from([0xc3, 0x28])])
          : Buffer.from(text);
        const digest = sha256(body);
        const reference = c.byDigest ? digest : `t${pushes++}`;
        const own = (document as { mediaType?: unknown } | null)?.mediaType;
        const type = c.contentType === "same" ? String(own ?? "") : c.contentType;
        const headers: Record<string, string> = {};
        if (type !== "") headers["Content-Type"] = type;
        const answer = await rawRequest(port, {
          method: "PUT",
          target: `/v2/${NAME}/manifests/${reference}`,
          headers,
          body,
        });
        const context = `PUT ${type} ${body.toString("utf8").slice(0, 400)}`;
        const code = expectOciAnswer(answer, context, [
          201,
          [400, "MANIFEST_INVALID"],
          [400, "MANIFEST_BLOB_UNKNOWN"],
          [413, "SIZE_INVALID"],
        ]);
        if (code !== null) return;

        // Stored: it reads back byte for byte, under its digest, as a schema 2 document.
        expect(answer.headers.get("docker-content-digest")).toBe(digest);
        const read = await rawRequest(port, {
          method: "GET",
          target: `/v2/${NAME}/manifests/${digest}`,
        });
        expect(read.status).toBe(200);
        expect(read.body.equals(body)).toBe(true);
        const stored = JSON.parse(read.body.toString("utf8")) as Record<string, unknown>;
        expect({ context, schemaVersion: stored.schemaVersion }).toEqual({
          context,
          schemaVersion: 2,
        });
        // Unambiguous: it reads as an index or as an image, whoever parses it.
        const asIndex = "manifests" in stored;
        const asImage = "config" in stored || "layers" in stored;
        expect({ context, ambiguous: asIndex && asImage }).toEqual({ context, ambiguous: false });
        expect(read.headers.get("content-type")).toMatch(/^application\/vnd\./);
      },
      200,
    );
    await expectRegistryAlive(port);
  },
  timeoutFor(200),
);

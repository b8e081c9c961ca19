/**
 * Property: the filesystem blob store builds a path only from a digest or an upload id it
 * validated itself; any other text (traversals, encodings, NUL, near misses) is refused by
 * every operation before the disk is touched. Defence in depth under the registry's checks.
 * Runs: MCR_FUZZ_RUNS; replay: MCR_FUZZ_SEED and MCR_FUZZ_PATH (see fuzz-settings.ts).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { FilesystemBlobStore } from "../../src/storage/filesystem-store.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";
import { listTree } from "../helpers/tree-listing.ts";
import { anyDigest, hostilePiece, isValidDigest, withHostilePiece } from "./arbitraries.ts";
import { checkProperty, timeoutFor } from "./fuzz-settings.ts";

let parent: string;
let store: FilesystemBlobStore;
let before: string[];
const SENTINEL = `sentinel ${crypto.randomUUID()}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  parent = makeTempFolder("mcr-store-paths-");
  writeFileSync(join(parent, "sentinel"), SENTINEL);
  mkdirSync(join(parent, "data"));
  store = await FilesystemBlobStore.open(join(parent, "data"));
  before = listTree(parent);
});
afterAll(() => removeFolder(parent));

async function refusal(work: () => Promise<unknown> | unknown): Promise<string | null> {
  try {
    await work();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

async function* oneChunk(): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode("overwrite");
}

const uploadId = fc.oneof(
  fc.uuid().map((id) => id.toLowerCase()),
  withHostilePiece(fc.uuid().map((id) => id.toLowerCase())),
  fc.uuid().map((id) => id.toUpperCase()),
  hostilePiece,
  fc.string({ maxLength: 40 }),
);

test(
  "a digest the store did not validate never becomes a path",
  async () => {
    await checkProperty(
      anyDigest,
      async (digest) => {
        const refused = [
          await refusal(() => store.size(digest)),
          await refusal(() => store.read(digest)),
          await refusal(() => store.remove(digest)),
        ];
        const expected = isValidDigest(digest) ? null : expect.stringContaining("malformed digest");
        expect({ digest, refused }).toEqual({ digest, refused: [expected, expected, expected] });
      },
      300,
    );
    expect(readFileSync(join(parent, "sentinel"), "utf8")).toBe(SENTINEL);
    expect(listTree(parent)).toEqual(before);
  },
  timeoutFor(300),
);

test(
  "an upload id the store did not validate never becomes a path",
  async () => {
    await checkProperty(
      uploadId.filter((id) => !UUID.test(id)),
      async (id) => {
        const refused = [
          await refusal(() => store.startUpload(id)),
          await refusal(() => store.appendUpload(id, 0, oneChunk())),
          await refusal(() => store.commitUpload(id, 9, `sha256:${"a".repeat(64)}`)),
          await refusal(() => store.removeUpload(id)),
        ];
        for (const message of refused)
          expect({ id, message }).toMatchObject({
            message: expect.stringContaining("malformed upload id"),
          });
      },
      300,
    );
    expect(readFileSync(join(parent, "sentinel"), "utf8")).toBe(SENTINEL);
    expect(listTree(parent)).toEqual(before);
  },
  timeoutFor(300),
);

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { FilesystemBlobStore } from "../../src/storage/filesystem-store.ts";
import { stopHashThreads } from "../../src/storage/hash-thread.ts";
import { StorageError } from "../../src/storage/storage-error.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

const encoder = new TextEncoder();

function hex(data: Uint8Array | string, algorithm: "sha256" | "sha512" = "sha256"): string {
  return new Bun.CryptoHasher(algorithm).update(data).digest("hex");
}

function digest(data: Uint8Array | string, algorithm: "sha256" | "sha512" = "sha256"): string {
  return `${algorithm}:${hex(data, algorithm)}`;
}

/** A request body that yields the given chunks. */
async function* body(...chunks: Array<Uint8Array | string>): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield typeof chunk === "string" ? encoder.encode(chunk) : chunk;
}

/** A body that yields `chunk` and then fails, as a dropped connection does. */
async function* brokenBody(chunk: Uint8Array): AsyncGenerator<Uint8Array> {
  yield chunk;
  throw new Error("connection reset");
}

/** Bytes whose value depends on position, so misplaced writes change the digest. */
function pattern(length: number, seed = 0): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) % 251;
  return bytes;
}

async function storageErrorKind(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(StorageError);
    return (error as StorageError).kind;
  }
  throw new Error("the operation succeeded");
}

let dataDir: string;
let store: FilesystemBlobStore;

beforeEach(async () => {
  dataDir = makeTempFolder("mcr-store-");
  store = await FilesystemBlobStore.open(dataDir);
});
afterEach(() => removeFolder(dataDir));

const uploadPath = (id: string) => join(dataDir, "uploads", id);
const blobPath = (algorithm: string, digestHex: string) =>
  join(dataDir, "blobs", algorithm, digestHex.slice(0, 2), digestHex);

/** Starts an upload and writes `data` into it; returns its id and size. */
async function upload(data: Uint8Array | string, on = store) {
  const id = crypto.randomUUID();
  await on.startUpload(id);
  const size = await on.appendUpload(id, 0, body(data));
  return { id, size };
}

describe("open", () => {
  test("creates the blobs and uploads folders", () => {
    expect(statSync(join(dataDir, "blobs")).isDirectory()).toBe(true);
    expect(statSync(join(dataDir, "uploads")).isDirectory()).toBe(true);
  });
});

describe("uploads becoming blobs", () => {
  test("append then commit puts the blob at blobs/sha256/<2 hex>/<hex>", async () => {
    const { id, size } = await upload("hello blob");
    expect(size).toBe(10);
    await store.commitUpload(id, size, digest("hello blob"));

    expect(readFileSync(blobPath("sha256", hex("hello blob")), "utf8")).toBe("hello blob");
    expect(existsSync(uploadPath(id))).toBe(false);
    expect(await store.size(digest("hello blob"))).toBe(10);
    expect(await store.listUploads()).toEqual([]);
  });

  test("appends at successive offsets make one blob", async () => {
    const id = crypto.randomUUID();
    await store.startUpload(id);
    expect(await store.appendUpload(id, 0, body("first,"))).toBe(6);
    expect(await store.appendUpload(id, 6, body("second,", "third"))).toBe(18);
    await store.commitUpload(id, 18, digest("first,second,third"));
    expect(await store.read(digest("first,second,third")).text()).toBe("first,second,third");
  });

  test("many small chunks past the write buffer are written in order", async () => {
    const data = pattern(3 * 1024 * 1024 + 17);
    const chunks: Uint8Array[] = [];
    for (let start = 0; start < data.length; start += 10_000) {
      chunks.push(data.subarray(start, start + 10_000));
    }
    const id = crypto.randomUUID();
    await store.startUpload(id);
    expect(await store.appendUpload(id, 0, body(...chunks))).toBe(data.length);
    await store.commitUpload(id, data.length, digest(data));
    expect(new Uint8Array(await store.read(digest(data)).arrayBuffer())).toEqual(data);
  });

  test("an empty upload commits as the empty blob", async () => {
    const id = crypto.randomUUID();
    await store.startUpload(id);
    await store.commitUpload(id, 0, digest(""));
    expect(await store.size(digest(""))).toBe(0);
  });

  test("a sha512 digest is checked and stored under blobs/sha512", async () => {
    const { id, size } = await upload("sha512 content");
    await store.commitUpload(id, size, digest("sha512 content", "sha512"));
    expect(readFileSync(blobPath("sha512", hex("sha512 content", "sha512")), "utf8")).toBe(
      "sha512 content",
    );
    expect(existsSync(blobPath("sha256", hex("sha512 content")))).toBe(false);
  });

  test("a wrong sha512 digest is a digest-mismatch", async () => {
    const { id, size } = await upload("sha512 content");
    const wrong = digest("other content", "sha512");
    expect(await storageErrorKind(store.commitUpload(id, size, wrong))).toBe("digest-mismatch");
  });

  test("a digest mismatch throws and leaves no blob file", async () => {
    const { id, size } = await upload("actual bytes");
    const claimed = digest("claimed bytes");

    expect(await storageErrorKind(store.commitUpload(id, size, claimed))).toBe("digest-mismatch");
    expect(existsSync(blobPath("sha256", hex("claimed bytes")))).toBe(false);
    expect(existsSync(blobPath("sha256", hex("actual bytes")))).toBe(false);
    expect(await store.size(claimed)).toBeNull();
  });

  test("committing a digest already stored succeeds and removes the upload", async () => {
    const first = await upload("same bytes");
    await store.commitUpload(first.id, first.size, digest("same bytes"));
    const second = await upload("same bytes");

    await store.commitUpload(second.id, second.size, digest("same bytes"));
    expect(existsSync(uploadPath(second.id))).toBe(false);
    expect(await store.read(digest("same bytes")).text()).toBe("same bytes");
  });

  test("hashStored hashes a stored blob's bytes, and finds nothing where none is", async () => {
    const { id, size } = await upload("stored bytes");
    await store.commitUpload(id, size, digest("stored bytes"));
    expect(await store.hashStored(digest("stored bytes"))).toEqual({
      kind: "hashed",
      digest: digest("stored bytes"),
    });
    expect(await store.hashStored(digest("never stored"))).toEqual({ kind: "missing" });
  });

  test("fewer bytes on disk than recorded is upload-damaged", async () => {
    const { id } = await upload("twelve bytes");
    expect(await storageErrorKind(store.commitUpload(id, 13, digest("twelve bytes!")))).toBe(
      "upload-damaged",
    );
  });

  test("bytes past the recorded size, left by a request that never finished, are cut off", async () => {
    const { id } = await upload("twelve bytes");
    // As after a crash between an append's write and its record: the file is longer than
    // the size the client was told, and a bodyless PUT commits what was recorded.
    const restarted = await FilesystemBlobStore.open(dataDir);
    await restarted.commitUpload(id, 6, digest("twelve"));
    expect(await restarted.read(digest("twelve")).text()).toBe("twelve");
    expect(existsSync(uploadPath(id))).toBe(false);
  });

  test("committing an upload that does not exist is upload-missing", async () => {
    const kind = await storageErrorKind(store.commitUpload(crypto.randomUUID(), 1, digest("x")));
    expect(kind).toBe("upload-missing");
  });

  test("appending to an upload that does not exist is upload-missing", async () => {
    const kind = await storageErrorKind(store.appendUpload(crypto.randomUUID(), 0, body("x")));
    expect(kind).toBe("upload-missing");
  });

  test("an upload id cannot be started twice", async () => {
    const { id } = await upload("data");
    await expect(store.startUpload(id)).rejects.toThrow();
    expect(readFileSync(uploadPath(id), "utf8")).toBe("data");
  });
});

describe("appending after a restart or a failure", () => {
  test("a new store on the same folder continues an upload with the right digest", async () => {
    const id = crypto.randomUUID();
    await store.startUpload(id);
    await store.appendUpload(id, 0, body("before restart|"));

    const restarted = await FilesystemBlobStore.open(dataDir);
    const size = await restarted.appendUpload(id, 15, body("after restart"));
    await restarted.commitUpload(id, size, digest("before restart|after restart"));
    expect(await restarted.read(digest("before restart|after restart")).text()).toBe(
      "before restart|after restart",
    );
  });

  test("an upload goes on with the right digest after its hashing thread ended", async () => {
    const first = pattern(3 * 1024 * 1024 + 7, 1);
    const second = pattern(1024 * 1024 + 3, 2);
    const { id, size } = await upload(first);
    stopHashThreads();

    const end = await store.appendUpload(id, size, body(second));
    const whole = new Uint8Array([...first, ...second]);
    await store.commitUpload(id, end, digest(whole));
    expect(await store.size(digest(whole))).toBe(whole.length);
  });

  test("an upload commits with the right digest after its hashing thread ended", async () => {
    const data = pattern(2 * 1024 * 1024 + 1, 3);
    const { id, size } = await upload(data);
    stopHashThreads();
    await store.commitUpload(id, size, digest(data));
    expect(await store.size(digest(data))).toBe(size);
  });

  test("a new store commits an upload it never appended to", async () => {
    const { id, size } = await upload("written before the restart");
    const restarted = await FilesystemBlobStore.open(dataDir);
    await restarted.commitUpload(id, size, digest("written before the restart"));
    expect(await restarted.size(digest("written before the restart"))).toBe(size);
  });

  test("bytes past the offset from an unfinished request are dropped", async () => {
    const id = crypto.randomUUID();
    await store.startUpload(id);
    await store.appendUpload(id, 0, body("kept|"));
    await appendFile(uploadPath(id), "half-written junk");

    const restarted = await FilesystemBlobStore.open(dataDir);
    const size = await restarted.appendUpload(id, 5, body("next"));
    expect(size).toBe(9);
    await restarted.commitUpload(id, size, digest("kept|next"));
  });

  test("an offset past the bytes on disk is upload-damaged", async () => {
    const { id } = await upload("short");
    expect(await storageErrorKind(store.appendUpload(id, 100, body("x")))).toBe("upload-damaged");
    expect(readFileSync(uploadPath(id), "utf8")).toBe("short");
  });

  test("a body that fails half-way cuts the upload back to the offset", async () => {
    const { id } = await upload("start|");
    // Larger than the write buffer, so these bytes reach the file before the failure.
    const lost = pattern(1536 * 1024, 7);

    await expect(store.appendUpload(id, 6, brokenBody(lost))).rejects.toThrow("connection reset");
    expect(statSync(uploadPath(id)).size).toBe(6);

    // The running hash saw the lost bytes; the retry must not count them.
    const size = await store.appendUpload(id, 6, body("retry"));
    await store.commitUpload(id, size, digest("start|retry"));
  });

  test("a chunk shorter than announced is length-mismatch and cut back", async () => {
    const { id } = await upload("start|");
    const kind = await storageErrorKind(store.appendUpload(id, 6, body("four"), 10));
    expect(kind).toBe("length-mismatch");
    expect(statSync(uploadPath(id)).size).toBe(6);

    const size = await store.appendUpload(id, 6, body("four"), 4);
    await store.commitUpload(id, size, digest("start|four"));
  });

  test("appending again from an earlier offset replaces what followed it", async () => {
    const { id } = await upload("abcdef");
    const size = await store.appendUpload(id, 3, body("XYZW"));
    expect(size).toBe(7);
    await store.commitUpload(id, size, digest("abcXYZW"));
  });
});

describe("reading and removing blobs", () => {
  const DATA = "0123456789abcdefghij";
  beforeEach(async () => {
    const { id, size } = await upload(DATA);
    await store.commitUpload(id, size, digest(DATA));
  });

  test("reads the whole blob", async () => {
    expect(await store.read(digest(DATA)).text()).toBe(DATA);
  });

  test("reads an inclusive byte range", async () => {
    expect(await store.read(digest(DATA), { start: 5, end: 9 }).text()).toBe("56789");
    expect(await store.read(digest(DATA), { start: 19, end: 19 }).text()).toBe("j");
  });

  test("the size of a blob that is not stored is null", async () => {
    expect(await store.size(digest("never stored"))).toBeNull();
  });

  test("remove deletes the blob, and removing it again is no error", async () => {
    await store.remove(digest(DATA));
    expect(await store.size(digest(DATA))).toBeNull();
    expect(existsSync(blobPath("sha256", hex(DATA)))).toBe(false);
    await store.remove(digest(DATA));
  });
});

describe("listing and removing uploads", () => {
  test("lists uploads with bytes on disk, ignoring stray files", async () => {
    const a = await upload("a");
    const b = await upload("b");
    writeFileSync(join(dataDir, "uploads", "notes.txt"), "not an upload");
    expect((await store.listUploads()).sort()).toEqual([a.id, b.id].sort());
  });

  test("cutUpload drops the bytes past a size, and the upload goes on from there", async () => {
    const { id } = await upload("kept;dropped");
    await store.cutUpload(id, 5);
    expect(statSync(uploadPath(id)).size).toBe(5);
    // The running hash covered the dropped bytes; the commit must not trust it.
    const size = await store.appendUpload(id, 5, body("more"));
    await store.commitUpload(id, size, digest("kept;more"));
    expect(await store.size(digest("kept;more"))).toBe(9);
  });

  test("removeUpload deletes the bytes and forgets the running hash", async () => {
    const { id } = await upload("abc");
    await store.removeUpload(id);
    expect(existsSync(uploadPath(id))).toBe(false);
    expect(await store.listUploads()).toEqual([]);
    await store.removeUpload(id);
  });
});

describe("malformed names never reach the disk", () => {
  const BAD_DIGESTS = [
    "../victim",
    "sha256:../../../victim",
    `sha256:${"A".repeat(64)}`,
    `sha256:${"a".repeat(63)}`,
    `md5:${"a".repeat(32)}`,
    `sha512:${"a".repeat(64)}`,
    `sha256:${"a".repeat(64)}/../../victim`,
  ];
  const BAD_IDS = ["../victim", "../../victim", "", "UPPER-CASE", `${crypto.randomUUID()}/x`];

  let victim: string;
  beforeEach(() => {
    victim = join(dataDir, "victim");
    writeFileSync(victim, "precious");
  });
  afterEach(() => {
    expect(readFileSync(victim, "utf8")).toBe("precious");
  });

  for (const bad of BAD_DIGESTS) {
    test(`digest ${JSON.stringify(bad)} is refused by every blob operation`, async () => {
      await expect(store.size(bad)).rejects.toThrow("malformed digest");
      expect(() => store.read(bad)).toThrow("malformed digest");
      await expect(store.remove(bad)).rejects.toThrow("malformed digest");
      const { id, size } = await upload("data");
      await expect(store.commitUpload(id, size, bad)).rejects.toThrow("malformed digest");
      expect(existsSync(uploadPath(id))).toBe(true);
    });
  }

  for (const bad of BAD_IDS) {
    test(`upload id ${JSON.stringify(bad)} is refused by every upload operation`, async () => {
      await expect(store.startUpload(bad)).rejects.toThrow("malformed upload id");
      await expect(store.appendUpload(bad, 0, body("x"))).rejects.toThrow("malformed upload id");
      await expect(store.commitUpload(bad, 8, digest("precious"))).rejects.toThrow(
        "malformed upload id",
      );
      await expect(store.removeUpload(bad)).rejects.toThrow("malformed upload id");
    });
  }

  test("nothing was created outside blobs/ and uploads/", async () => {
    await store.startUpload("../escaped").catch(() => {});
    expect(readdirSync(dataDir).sort()).toEqual(["blobs", "uploads", "victim"]);
  });
});

describe("repair and early refusal", () => {
  test("a damaged blob file of the wrong size is replaced by a verified upload of the same digest", async () => {
    const data = pattern(5000, 9);
    const blobDigest = digest(data);
    const blobFile = join(dataDir, "blobs", "sha256", hex(data).slice(0, 2), hex(data));

    await store.startUpload("00000000-0000-4000-8000-000000000001");
    await store.appendUpload("00000000-0000-4000-8000-000000000001", 0, body(data));
    await store.commitUpload("00000000-0000-4000-8000-000000000001", data.length, blobDigest);
    writeFileSync(blobFile, data.subarray(0, 100));

    await store.startUpload("00000000-0000-4000-8000-000000000002");
    await store.appendUpload("00000000-0000-4000-8000-000000000002", 0, body(data));
    await store.commitUpload("00000000-0000-4000-8000-000000000002", data.length, blobDigest);
    expect(statSync(blobFile).size).toBe(5000);
    expect(hex(readFileSync(blobFile))).toBe(hex(data));
  });

  test("a damaged blob file of the right size is replaced by a verified upload of the same digest", async () => {
    const data = pattern(5000, 11);
    const first = await upload(data);
    await store.commitUpload(first.id, first.size, digest(data));
    const blobFile = blobPath("sha256", hex(data));
    writeFileSync(blobFile, pattern(5000, 12));

    const second = await upload(data);
    await store.commitUpload(second.id, second.size, digest(data));
    expect(hex(readFileSync(blobFile))).toBe(hex(data));
    expect(existsSync(uploadPath(second.id))).toBe(false);
  });

  test("a chunk that outgrows its announced length is stopped and cut back", async () => {
    const id = "00000000-0000-4000-8000-000000000003";
    await store.startUpload(id);
    await store.appendUpload(id, 0, body("abc"));
    const kind = await storageErrorKind(
      store.appendUpload(id, 3, body("d", "efgh", "ijklmnop"), 2),
    );
    expect(kind).toBe("length-mismatch");
    expect(statSync(join(dataDir, "uploads", id)).size).toBe(3);
  });
});

describe("what fsck needs", () => {
  test("quarantine moves a blob's bytes aside untouched, and the digest reads as not stored", async () => {
    const { id, size } = await upload("soon to be damaged");
    await store.commitUpload(id, size, digest("soon to be damaged"));
    const moved = await store.quarantine(digest("soon to be damaged"));

    expect(moved).toStartWith(join(dataDir, "quarantine", `sha256-${hex("soon to be damaged")}.`));
    expect(readFileSync(moved, "utf8")).toBe("soon to be damaged");
    expect(await store.size(digest("soon to be damaged"))).toBeNull();
    // A new upload of the content can take its place.
    const again = await upload("soon to be damaged");
    await store.commitUpload(again.id, again.size, digest("soon to be damaged"));
    expect(await store.size(digest("soon to be damaged"))).toBe(again.size);
  });

  test("stray files are what is neither a blob at its place nor an upload", async () => {
    const { id, size } = await upload("a real blob");
    await store.commitUpload(id, size, digest("a real blob"));
    const pending = await upload("an upload");
    const realHex = hex("a real blob");
    const misplaced = join(
      dataDir,
      "blobs",
      "sha256",
      "00",
      realHex.startsWith("00") ? "x" : realHex,
    );
    mkdirSync(join(misplaced, ".."), { recursive: true });
    writeFileSync(misplaced, "a blob under the wrong prefix");
    writeFileSync(join(dataDir, "blobs", "README"), "notes");
    mkdirSync(join(dataDir, "blobs", "md5"));
    writeFileSync(join(dataDir, "uploads", `${pending.id}.swp`), "editor");

    expect((await store.listStrayFiles()).sort()).toEqual(
      [
        misplaced,
        join(dataDir, "blobs", "README"),
        join(dataDir, "blobs", "md5"),
        join(dataDir, "uploads", `${pending.id}.swp`),
      ].sort(),
    );
    expect(await store.uploadSize(pending.id)).toBe(pending.size);
    expect(await store.uploadSize(crypto.randomUUID())).toBeNull();
  });
});

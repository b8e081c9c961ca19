/**
 * A full data disk, for real: the data folder (blobs, uploads and the SQLite database) on a
 * 16 MiB tmpfs, the compiled binary serving it. Pushes fill it; the client must get a clear
 * 507, nothing half-written may stay, pulls must keep working, and pushes must work again
 * once space is freed, without a restart.
 *
 * mount(8) needs root: as another user the file is skipped with a message; as root a mount
 * that is refused fails the file with mount's own words.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { imageManifest, pushBlob, pushImage, sha256 } from "../helpers/oci-client.ts";
import { expectOciError, openUpload } from "../helpers/oci-expect.ts";
import { canMount, fillTheRest, mountSmallDisk, type SmallDisk } from "../helpers/small-disk.ts";
import { type McrProcess, startMcr } from "./mcr-process.ts";

const TMPFS_SIZE = "16m";
const MIB = 1024 * 1024;
if (!canMount) console.warn("disk-full.test.ts skipped: mounting a tmpfs needs root");

/** A blob of `size` bytes that no other call returns, so that each push needs new space. */
function distinctBlob(seed: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size).fill(seed & 0xff);
  new DataView(bytes.buffer).setUint32(0, seed);
  return bytes;
}

function pushWhole(base: string, name: string, bytes: Uint8Array): Promise<Response> {
  return fetch(`${base}/v2/${name}/blobs/uploads/?digest=${sha256(bytes)}`, {
    method: "POST",
    body: bytes,
  });
}

function patch(session: URL, bytes: Uint8Array, start: number): Promise<Response> {
  return fetch(session, {
    method: "PATCH",
    headers: {
      "Content-Type": "application/octet-stream",
      "Content-Range": `${start}-${start + bytes.length - 1}`,
    },
    body: bytes,
  });
}

async function expectStorageFull(response: Response): Promise<void> {
  const body = await expectOciError(response, 507, "UNAVAILABLE");
  expect(body.errors[0]?.message).toContain("storage is full");
}

async function pulledDigest(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return sha256(new Uint8Array(await response.arrayBuffer()));
}

describe.skipIf(!canMount)("a data folder whose disk fills up", () => {
  let disk: SmallDisk | undefined;
  let mcr: McrProcess;
  let dataDir = "";
  let filler = "";

  // What the steps below share: they run in order, each on what the previous left.
  let kept: Awaited<ReturnType<typeof pushImage>>;
  const keptBlobs: string[] = [];
  let session: URL;
  const sessionStart = distinctBlob(7, 64 * 1024);
  /** A session holding a whole blob, completed only once the database is full. */
  let finished: URL;
  const finishedBlob = distinctBlob(6, 16 * 1024);
  let later: { manifest: string; digest: string };

  /** Sizes of the files in uploads/, smallest first. */
  function uploadSizes(): number[] {
    const folder = join(dataDir, "uploads");
    return readdirSync(folder)
      .map((name) => statSync(join(folder, name)).size)
      .sort((a, b) => a - b);
  }

  beforeAll(async () => {
    disk = mountSmallDisk(TMPFS_SIZE, "mcr-disk-full-");
    const mountPoint = disk.path;
    dataDir = join(mountPoint, "data");
    filler = join(mountPoint, "filler");
    mcr = await startMcr(["--listen", "127.0.0.1:0", "--data-dir", dataDir], {
      cwd: mountPoint,
      env: { MCR_AUTH_PROVIDER: "none" },
    });
  });

  afterAll(async () => {
    await mcr?.stop("SIGKILL");
    disk?.remove();
  });

  test("pushes work until the disk fills, then answer 507 and keep no partial file", async () => {
    kept = await pushImage(mcr.url, "kept/app", "v1");
    const config = JSON.stringify({ architecture: "amd64", os: "linux" });
    const layer = "a layer pushed before the disk filled";
    const configDigest = await pushBlob(mcr.url, "later/app", config);
    const layerDigest = await pushBlob(mcr.url, "later/app", layer);
    const manifest = imageManifest({ digest: configDigest, size: config.length }, [
      { digest: layerDigest, size: layer.length },
    ]);
    later = { manifest, digest: sha256(manifest) };

    session = await openUpload(mcr.url, "kept/chunked");
    const first = await patch(session, sessionStart, 0);
    expect(first.status).toBe(202);
    expect(first.headers.get("range")).toBe(`0-${sessionStart.length - 1}`);
    finished = await openUpload(mcr.url, "kept/chunked");
    expect((await patch(finished, finishedBlob, 0)).status).toBe(202);

    let refused: Response | null = null;
    for (let seed = 100; seed < 200 && !refused; seed++) {
      const blob = distinctBlob(seed, MIB);
      const response = await pushWhole(mcr.url, "kept/filler", blob);
      if (response.status === 201) keptBlobs.push(sha256(blob));
      else refused = response;
    }
    expect(keptBlobs.length).toBeGreaterThan(5);
    if (!refused) throw new Error("the disk never filled");
    await expectStorageFull(refused);

    // The refused upload is gone; only the open sessions' bytes remain.
    expect(uploadSizes()).toEqual([finishedBlob.length, sessionStart.length]);
  });

  test("a chunk the disk cannot hold is 507, and the session still holds what it held", async () => {
    const response = await patch(session, distinctBlob(8, 4 * MIB), sessionStart.length);
    await expectStorageFull(response);

    const status = await fetch(session);
    expect(status.status).toBe(204);
    expect(status.headers.get("range")).toBe(`0-${sessionStart.length - 1}`);
    expect(uploadSizes()).toEqual([finishedBlob.length, sessionStart.length]);
  });

  test("when the database cannot grow either, a manifest push is 507 and leaves no trace", async () => {
    expect(fillTheRest(filler)).toBeGreaterThanOrEqual(0);

    const put = await fetch(`${mcr.url}/v2/later/app/manifests/v1`, {
      method: "PUT",
      headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" },
      body: later.manifest,
    });
    await expectStorageFull(put);
    await expectOciError(
      await fetch(`${mcr.url}/v2/later/app/manifests/v1`),
      404,
      "MANIFEST_UNKNOWN",
    );
    const byDigest = await fetch(`${mcr.url}/v2/later/app/manifests/${later.digest}`);
    await expectOciError(byDigest, 404, "MANIFEST_UNKNOWN");
    const tags = await fetch(`${mcr.url}/v2/later/app/tags/list`);
    expect(((await tags.json()) as { tags?: string[] }).tags ?? []).toEqual([]);

    // The blob is verified and moved into place, but its row cannot be written.
    const complete = new URL(finished);
    complete.searchParams.set("digest", sha256(finishedBlob));
    await expectStorageFull(await fetch(complete, { method: "PUT" }));
    const head = await fetch(`${mcr.url}/v2/kept/chunked/blobs/${sha256(finishedBlob)}`, {
      method: "HEAD",
    });
    expect(head.status).toBe(404);

    // Opening a session needs a database row: refused the same way, leaving no file behind.
    await expectStorageFull(
      await fetch(`${mcr.url}/v2/later/app/blobs/uploads/`, { method: "POST" }),
    );
    expect(uploadSizes()).toEqual([sessionStart.length]);
  });

  test("what was pushed before stays pullable, byte for byte", async () => {
    const manifest = await fetch(`${mcr.url}/v2/kept/app/manifests/v1`, {
      headers: { Accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    expect(manifest.status).toBe(200);
    expect(sha256(new Uint8Array(await manifest.arrayBuffer()))).toBe(kept.digest);
    for (const digest of [kept.configDigest, kept.layerDigest]) {
      expect(await pulledDigest(`${mcr.url}/v2/kept/app/blobs/${digest}`)).toBe(digest);
    }
    for (const digest of keptBlobs) {
      expect(await pulledDigest(`${mcr.url}/v2/kept/filler/blobs/${digest}`)).toBe(digest);
    }
  });

  test("the log says storage is full once per refusal, with no stack trace", () => {
    const log = mcr.log();
    const warnings = log.split("\n").filter((line) => line.includes("storage full"));
    // Monolithic push, PATCH, manifest PUT, upload PUT, POST: one line each.
    expect(warnings).toHaveLength(5);
    expect(warnings.every((line) => line.includes(" WARN "))).toBe(true);
    expect(log).not.toContain("request failed");
    expect(log).not.toMatch(/\n\s+at /);
  });

  test("once space is freed, pushes succeed again without a restart", async () => {
    rmSync(filler);

    const rest = distinctBlob(9, 32 * 1024);
    const resumed = await patch(session, rest, sessionStart.length);
    expect(resumed.status).toBe(202);
    const whole = Buffer.concat([sessionStart, rest]);
    const done = new URL(session);
    done.searchParams.set("digest", sha256(whole));
    expect((await fetch(done, { method: "PUT" })).status).toBe(201);
    expect(await pulledDigest(`${mcr.url}/v2/kept/chunked/blobs/${sha256(whole)}`)).toBe(
      sha256(whole),
    );

    const put = await fetch(`${mcr.url}/v2/later/app/manifests/v1`, {
      method: "PUT",
      headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" },
      body: later.manifest,
    });
    expect(put.status).toBe(201);
    expect(await pulledDigest(`${mcr.url}/v2/later/app/manifests/v1`)).toBe(later.digest);
    expect((await pushWhole(mcr.url, "kept/filler", distinctBlob(300, 1024))).status).toBe(201);

    // The session whose commit the database refused has failed cleanly: a client starts
    // again, and the file already in place is adopted by the new upload.
    const retry = new URL(finished);
    retry.searchParams.set("digest", sha256(finishedBlob));
    await expectOciError(await fetch(retry, { method: "PUT" }), 404, "BLOB_UPLOAD_UNKNOWN");
    expect((await pushWhole(mcr.url, "kept/chunked", finishedBlob)).status).toBe(201);
    const pulled = await pulledDigest(`${mcr.url}/v2/kept/chunked/blobs/${sha256(finishedBlob)}`);
    expect(pulled).toBe(sha256(finishedBlob));
    expect(mcr.process.exitCode).toBeNull();
  });
});

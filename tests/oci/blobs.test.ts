import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { pushBlob, sha256 } from "../helpers/oci-client.ts";
import { expectEmptyBody, expectOciError } from "../helpers/oci-expect.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startTestRegistry();
});
afterAll(() => registry.destroy());

const DATA = "0123456789abcdefghijklmnopqrstuvwxyz";
const UNKNOWN = sha256("never pushed anywhere");

function blobUrl(name: string, digest: string) {
  return `${registry.url}/v2/${name}/blobs/${digest}`;
}

/** Pushes DATA plus a suffix, so each test owns its blob. */
async function pushOwnBlob(name: string, suffix: string) {
  const data = `${DATA}${suffix}`;
  return { data, digest: await pushBlob(registry.url, name, data) };
}

describe("GET and HEAD", () => {
  test("GET returns the bytes with Content-Length and Docker-Content-Digest", async () => {
    const { data, digest } = await pushOwnBlob("blobs/get", "-get");
    const response = await fetch(blobUrl("blobs/get", digest));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe(String(data.length));
    expect(response.headers.get("docker-content-digest")).toBe(digest);
    expect(response.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
    expect(await response.text()).toBe(data);
  });

  test("HEAD has the same headers and no body", async () => {
    const { data, digest } = await pushOwnBlob("blobs/head", "-head");
    const response = await fetch(blobUrl("blobs/head", digest), { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe(String(data.length));
    expect(response.headers.get("docker-content-digest")).toBe(digest);
    await expectEmptyBody(response);
  });

  test("an empty blob can be pushed and read", async () => {
    const digest = await pushBlob(registry.url, "blobs/empty", "");
    const response = await fetch(blobUrl("blobs/empty", digest));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe("0");
    expect(await response.text()).toBe("");
  });

  test("an unknown blob is 404 BLOB_UNKNOWN on GET and 404 on HEAD", async () => {
    await pushOwnBlob("blobs/unknown", "-unknown");
    await expectOciError(await fetch(blobUrl("blobs/unknown", UNKNOWN)), 404, "BLOB_UNKNOWN");
    const head = await fetch(blobUrl("blobs/unknown", UNKNOWN), { method: "HEAD" });
    expect(head.status).toBe(404);
    await expectEmptyBody(head);
  });

  test("a blob of an unknown repository is 404 BLOB_UNKNOWN", async () => {
    const { digest } = await pushOwnBlob("blobs/known", "-known");
    const response = await fetch(blobUrl("blobs/never-pushed", digest));
    await expectOciError(response, 404, "BLOB_UNKNOWN");
  });

  test("a blob is not readable through a repository it was never pushed to", async () => {
    const { digest } = await pushOwnBlob("blobs/owner", "-owned");
    await pushOwnBlob("blobs/stranger", "-stranger");
    await expectOciError(await fetch(blobUrl("blobs/stranger", digest)), 404, "BLOB_UNKNOWN");
    const head = await fetch(blobUrl("blobs/stranger", digest), { method: "HEAD" });
    expect(head.status).toBe(404);
  });

  test("an invalid digest is 400 DIGEST_INVALID", async () => {
    for (const digest of ["sha256:abc", "md5:0123", `sha256:${"A".repeat(64)}`, "nodigest"]) {
      await expectOciError(await fetch(blobUrl("blobs/get", digest)), 400, "DIGEST_INVALID");
      const head = await fetch(blobUrl("blobs/get", digest), { method: "HEAD" });
      expect(head.status).toBe(400);
    }
  });

  test("a blob whose file vanished from disk is 404, not 200 or 500", async () => {
    const { digest } = await pushOwnBlob("blobs/vanished", "-vanished");
    const hex = digest.slice("sha256:".length);
    rmSync(join(registry.dataDir, "blobs", "sha256", hex.slice(0, 2), hex));

    const head = await fetch(blobUrl("blobs/vanished", digest), { method: "HEAD" });
    expect(head.status).toBe(404);
    await expectOciError(await fetch(blobUrl("blobs/vanished", digest)), 404, "BLOB_UNKNOWN");
  });
});

describe("Range", () => {
  let digest: string;
  beforeAll(async () => {
    digest = await pushBlob(registry.url, "blobs/range", DATA);
  });
  const get = (range: string) => fetch(blobUrl("blobs/range", digest), { headers: { range } });

  test("a closed range is 206 with Content-Range and just those bytes", async () => {
    const response = await get("bytes=2-5");
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe(`bytes 2-5/${DATA.length}`);
    expect(response.headers.get("content-length")).toBe("4");
    expect(response.headers.get("docker-content-digest")).toBe(digest);
    expect(await response.text()).toBe("2345");
  });

  test("an open-ended range runs to the end", async () => {
    const response = await get("bytes=30-");
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe(`bytes 30-35/${DATA.length}`);
    expect(await response.text()).toBe(DATA.slice(30));
  });

  test("a range past the end is cut at the end", async () => {
    const response = await get("bytes=34-1000");
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe(`bytes 34-35/${DATA.length}`);
    expect(await response.text()).toBe("yz");
  });

  test("a suffix range returns the last bytes", async () => {
    const response = await get("bytes=-4");
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe(`bytes 32-35/${DATA.length}`);
    expect(response.headers.get("content-length")).toBe("4");
    expect(await response.text()).toBe("wxyz");
  });

  test("a suffix longer than the blob returns all of it", async () => {
    const response = await get("bytes=-1000");
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe(`bytes 0-35/${DATA.length}`);
    expect(await response.text()).toBe(DATA);
  });

  test("a range wholly past the end is 416 with Content-Range bytes */size", async () => {
    for (const range of [`bytes=${DATA.length}-`, "bytes=100-200", "bytes=-0"]) {
      const response = await get(range);
      expect(response.status).toBe(416);
      expect(response.headers.get("content-range")).toBe(`bytes */${DATA.length}`);
      await expectOciError(response, 416, "SIZE_INVALID");
    }
  });

  test("a Range the registry does not honour gets the whole blob", async () => {
    for (const range of ["bytes=0-1,4-5", "items=0-1", "bytes=5-2"]) {
      const response = await get(range);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(DATA);
    }
  });

  test("a reversed range starting past the end is ignored too: 200, not a bare 416", async () => {
    // Found by tests/fuzz/ranges.test.ts: Bun.serve applied this Range to the file itself
    // and answered 416 with no OCI error body.
    const response = await get(`bytes=${DATA.length + 1}-0`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-range")).toBeNull();
    expect(await response.text()).toBe(DATA);
  });
});

describe("DELETE", () => {
  test("unlinks the blob from the repository: 202, then 404", async () => {
    const { digest } = await pushOwnBlob("blobs/delete", "-delete");
    const response = await fetch(blobUrl("blobs/delete", digest), { method: "DELETE" });
    expect(response.status).toBe(202);
    await expectEmptyBody(response);

    await expectOciError(await fetch(blobUrl("blobs/delete", digest)), 404, "BLOB_UNKNOWN");
    const again = await fetch(blobUrl("blobs/delete", digest), { method: "DELETE" });
    await expectOciError(again, 404, "BLOB_UNKNOWN");
  });

  test("the same blob stays readable in another repository", async () => {
    const data = `${DATA}-shared`;
    const digest = await pushBlob(registry.url, "blobs/shared-a", data);
    await pushBlob(registry.url, "blobs/shared-b", data);

    const deleted = await fetch(blobUrl("blobs/shared-a", digest), { method: "DELETE" });
    expect(deleted.status).toBe(202);
    const other = await fetch(blobUrl("blobs/shared-b", digest));
    expect(other.status).toBe(200);
    expect(await other.text()).toBe(data);
  });

  test("an unknown repository is 404 BLOB_UNKNOWN", async () => {
    const response = await fetch(blobUrl("blobs/no-such-repo", UNKNOWN), { method: "DELETE" });
    await expectOciError(response, 404, "BLOB_UNKNOWN");
  });

  test("an invalid digest is 400 DIGEST_INVALID", async () => {
    const response = await fetch(blobUrl("blobs/delete", "sha256:nothex"), { method: "DELETE" });
    await expectOciError(response, 400, "DIGEST_INVALID");
  });
});

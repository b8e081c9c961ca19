import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pushBlob, sha256 } from "../helpers/oci-client.ts";
import { expectEmptyBody, expectOciError, openUpload, withDigest } from "../helpers/oci-expect.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startTestRegistry();
});
afterAll(() => registry.destroy());

const UPLOAD_PATH = /^\/v2\/[a-z0-9/._-]+\/blobs\/uploads\/[0-9a-f-]+$/;

function uploadsUrl(name: string, query = "") {
  return `${registry.url}/v2/${name}/blobs/uploads/${query}`;
}

function patch(url: URL, body: string, contentRange?: string) {
  const headers: Record<string, string> = { "Content-Type": "application/octet-stream" };
  if (contentRange) headers["Content-Range"] = contentRange;
  return fetch(url, { method: "PATCH", headers, body });
}

async function readBlob(name: string, digest: string) {
  return fetch(`${registry.url}/v2/${name}/blobs/${digest}`);
}

describe("POST", () => {
  test("opens a session: 202 with Location, Range 0-0 and Docker-Upload-UUID", async () => {
    const response = await fetch(uploadsUrl("uploads/open"), { method: "POST" });
    expect(response.status).toBe(202);
    const location = response.headers.get("location") ?? "";
    const id = response.headers.get("docker-upload-uuid") ?? "";
    expect(new URL(location, registry.url).pathname).toMatch(UPLOAD_PATH);
    expect(location.endsWith(`/v2/uploads/open/blobs/uploads/${id}`)).toBe(true);
    expect(response.headers.get("range")).toBe("0-0");
    expect(response.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
    await expectEmptyBody(response);
  });

  test("POST without the trailing slash works too", async () => {
    const response = await fetch(`${registry.url}/v2/uploads/open/blobs/uploads`, {
      method: "POST",
    });
    expect(response.status).toBe(202);
  });

  test("?digest= with a body uploads the whole blob: 201", async () => {
    const data = "monolithic in one POST";
    const digest = sha256(data);
    const response = await fetch(uploadsUrl("uploads/post", `?digest=${digest}`), {
      method: "POST",
      headers: { "Content-Type": "application/octet-stream" },
      body: data,
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("docker-content-digest")).toBe(digest);
    expect(response.headers.get("location")).toEndWith(`/v2/uploads/post/blobs/${digest}`);
    expect(await (await readBlob("uploads/post", digest)).text()).toBe(data);
  });

  test("?digest= that does not match the body is 400 DIGEST_INVALID, nothing stored", async () => {
    const digest = sha256("something else");
    const response = await fetch(uploadsUrl("uploads/post-bad", `?digest=${digest}`), {
      method: "POST",
      body: "the real body",
    });
    await expectOciError(response, 400, "DIGEST_INVALID");
    expect((await readBlob("uploads/post-bad", digest)).status).toBe(404);
  });

  test("?digest= that is malformed is 400 DIGEST_INVALID", async () => {
    const response = await fetch(uploadsUrl("uploads/post-bad", "?digest=sha256:xyz"), {
      method: "POST",
      body: "x",
    });
    await expectOciError(response, 400, "DIGEST_INVALID");
  });
});

describe("PATCH and status", () => {
  test("GET status is 204 with Range 0-0 when empty, 0-(n-1) after n bytes", async () => {
    const url = await openUpload(registry.url, "uploads/status");
    const empty = await fetch(url);
    expect(empty.status).toBe(204);
    expect(empty.headers.get("range")).toBe("0-0");
    expect(empty.headers.get("docker-upload-uuid")).toBe(url.pathname.split("/").at(-1) ?? "");
    expect(new URL(empty.headers.get("location") ?? "", registry.url).pathname).toBe(url.pathname);

    expect((await patch(url, "12345")).status).toBe(202);
    const after = await fetch(url);
    expect(after.status).toBe(204);
    expect(after.headers.get("range")).toBe("0-4");
    await expectEmptyBody(after);
  });

  test("PATCH without Content-Range appends (streamed), answering Range and Location", async () => {
    const url = await openUpload(registry.url, "uploads/stream");
    const first = await patch(url, "hello ");
    expect(first.status).toBe(202);
    expect(first.headers.get("range")).toBe("0-5");
    expect(first.headers.get("location")).toBeTruthy();
    expect(first.headers.get("docker-upload-uuid")).toBeTruthy();
    await expectEmptyBody(first);

    const second = await patch(url, "world");
    expect(second.headers.get("range")).toBe("0-10");

    const done = await fetch(withDigest(url, sha256("hello world")), { method: "PUT" });
    expect(done.status).toBe(201);
    expect(await (await readBlob("uploads/stream", sha256("hello world"))).text()).toBe(
      "hello world",
    );
  });

  test("PATCH with in-order Content-Range chunks appends them", async () => {
    const url = await openUpload(registry.url, "uploads/chunks");
    const first = await patch(url, "abc", "0-2");
    expect(first.status).toBe(202);
    expect(first.headers.get("range")).toBe("0-2");
    const second = await patch(url, "defg", "3-6");
    expect(second.status).toBe(202);
    expect(second.headers.get("range")).toBe("0-6");

    const done = await fetch(withDigest(url, sha256("abcdefg")), { method: "PUT" });
    expect(done.status).toBe(201);
  });

  test("an out-of-order chunk is 416 with the Range of what is held", async () => {
    const url = await openUpload(registry.url, "uploads/order");
    await patch(url, "abc", "0-2");

    const gap = await patch(url, "xyz", "5-7");
    expect(gap.status).toBe(416);
    expect(gap.headers.get("range")).toBe("0-2");
    await expectOciError(gap, 416, "BLOB_UPLOAD_INVALID");

    const overlap = await patch(url, "bc", "1-2");
    expect(overlap.status).toBe(416);
    expect(overlap.headers.get("range")).toBe("0-2");

    // The refused chunks left nothing behind: the upload still holds three bytes.
    expect((await fetch(url)).headers.get("range")).toBe("0-2");
    const done = await fetch(withDigest(url, sha256("abc")), { method: "PUT" });
    expect(done.status).toBe(201);
  });

  test("a first chunk that does not start at 0 is 416 with Range 0-0", async () => {
    const url = await openUpload(registry.url, "uploads/order");
    const response = await patch(url, "abc", "3-5");
    expect(response.status).toBe(416);
    expect(response.headers.get("range")).toBe("0-0");
  });

  test("a malformed Content-Range is 400 BLOB_UPLOAD_INVALID", async () => {
    const url = await openUpload(registry.url, "uploads/order");
    for (const range of ["bytes=0-2", "abc", "5-2"]) {
      await expectOciError(await patch(url, "abc", range), 400, "BLOB_UPLOAD_INVALID");
    }
  });
});

describe("PUT", () => {
  test("?digest= with a final chunk completes the upload: 201", async () => {
    const url = await openUpload(registry.url, "uploads/put");
    await patch(url, "first ");
    const done = await fetch(withDigest(url, sha256("first last")), {
      method: "PUT",
      headers: { "Content-Type": "application/octet-stream" },
      body: "last",
    });
    expect(done.status).toBe(201);
    expect(done.headers.get("docker-content-digest")).toBe(sha256("first last"));
    expect(done.headers.get("location")).toEndWith(`/v2/uploads/put/blobs/${sha256("first last")}`);
    await expectEmptyBody(done);
    expect(await (await readBlob("uploads/put", sha256("first last"))).text()).toBe("first last");
  });

  test("?digest= without a body after PATCHes completes the upload: 201", async () => {
    const url = await openUpload(registry.url, "uploads/put");
    await patch(url, "only patched");
    const done = await fetch(withDigest(url, sha256("only patched")), { method: "PUT" });
    expect(done.status).toBe(201);
  });

  test("the whole blob in the PUT of a fresh session (POST then PUT) is 201", async () => {
    const url = await openUpload(registry.url, "uploads/put");
    const done = await fetch(withDigest(url, sha256("whole")), { method: "PUT", body: "whole" });
    expect(done.status).toBe(201);
  });

  test("the session is gone once completed", async () => {
    const url = await openUpload(registry.url, "uploads/put");
    await fetch(withDigest(url, sha256("once")), { method: "PUT", body: "once" });
    await expectOciError(await fetch(url), 404, "BLOB_UPLOAD_UNKNOWN");
  });

  test("a digest mismatch is 400 DIGEST_INVALID; the upload and blob are gone", async () => {
    const url = await openUpload(registry.url, "uploads/mismatch");
    await patch(url, "some bytes");
    const claimed = sha256("other bytes");
    const response = await fetch(withDigest(url, claimed), { method: "PUT" });
    await expectOciError(response, 400, "DIGEST_INVALID");

    await expectOciError(await fetch(url), 404, "BLOB_UPLOAD_UNKNOWN");
    expect((await readBlob("uploads/mismatch", claimed)).status).toBe(404);
    expect((await readBlob("uploads/mismatch", sha256("some bytes"))).status).toBe(404);
    const retry = await fetch(withDigest(url, sha256("some bytes")), { method: "PUT" });
    await expectOciError(retry, 404, "BLOB_UPLOAD_UNKNOWN");
  });

  test("PUT without ?digest= is 400 and the upload remains", async () => {
    const url = await openUpload(registry.url, "uploads/nodigest");
    await patch(url, "abc");
    const response = await fetch(url, { method: "PUT" });
    await expectOciError(response, 400, "DIGEST_INVALID");
    expect((await fetch(url)).status).toBe(204);
  });

  test("PUT with a malformed digest is 400 DIGEST_INVALID", async () => {
    const url = await openUpload(registry.url, "uploads/nodigest");
    const response = await fetch(withDigest(url, "sha256:short"), { method: "PUT", body: "x" });
    await expectOciError(response, 400, "DIGEST_INVALID");
  });
});

describe("DELETE and unknown sessions", () => {
  test("DELETE cancels: 204, then the session is 404 BLOB_UPLOAD_UNKNOWN", async () => {
    const url = await openUpload(registry.url, "uploads/cancel");
    await patch(url, "abandoned");
    const response = await fetch(url, { method: "DELETE" });
    expect(response.status).toBe(204);
    await expectEmptyBody(response);

    await expectOciError(await fetch(url), 404, "BLOB_UPLOAD_UNKNOWN");
    await expectOciError(await patch(url, "more"), 404, "BLOB_UPLOAD_UNKNOWN");
    await expectOciError(await fetch(url, { method: "DELETE" }), 404, "BLOB_UPLOAD_UNKNOWN");
  });

  test("the uploads folder holds no bytes of a cancelled upload", async () => {
    const url = await openUpload(registry.url, "uploads/cancel");
    const id = url.pathname.split("/").at(-1) ?? "";
    await patch(url, "abandoned");
    expect(readdirSync(join(registry.dataDir, "uploads"))).toContain(id);
    await fetch(url, { method: "DELETE" });
    expect(readdirSync(join(registry.dataDir, "uploads"))).not.toContain(id);
  });

  test("an upload id used under another repository name is 404", async () => {
    const url = await openUpload(registry.url, "uploads/mine");
    const id = url.pathname.split("/").at(-1) ?? "";
    const elsewhere = new URL(`/v2/uploads/theirs/blobs/uploads/${id}`, registry.url);
    await expectOciError(await fetch(elsewhere), 404, "BLOB_UPLOAD_UNKNOWN");
    await expectOciError(await patch(elsewhere, "x"), 404, "BLOB_UPLOAD_UNKNOWN");
    const put = await fetch(withDigest(elsewhere, sha256("")), { method: "PUT" });
    await expectOciError(put, 404, "BLOB_UPLOAD_UNKNOWN");
    const cancel = await fetch(elsewhere, { method: "DELETE" });
    await expectOciError(cancel, 404, "BLOB_UPLOAD_UNKNOWN");
    // The session itself is untouched.
    expect((await fetch(url)).status).toBe(204);
  });

  test("an unknown or garbage upload id is 404 BLOB_UPLOAD_UNKNOWN", async () => {
    for (const id of [crypto.randomUUID(), "garbage", "..%2F..%2Fetc", "0".repeat(300)]) {
      const url = new URL(`/v2/uploads/ghost/blobs/uploads/${id}`, registry.url);
      await expectOciError(await fetch(url), 404, "BLOB_UPLOAD_UNKNOWN");
      await expectOciError(await patch(url, "x"), 404, "BLOB_UPLOAD_UNKNOWN");
      const put = await fetch(withDigest(url, sha256("x")), { method: "PUT", body: "x" });
      await expectOciError(put, 404, "BLOB_UPLOAD_UNKNOWN");
      await expectOciError(await fetch(url, { method: "DELETE" }), 404, "BLOB_UPLOAD_UNKNOWN");
    }
  });
});

describe("mount", () => {
  test("?mount=&from= with the blob in `from` is 201 and links it", async () => {
    const digest = await pushBlob(registry.url, "uploads/mount-src", "mount me");
    const response = await fetch(
      uploadsUrl("uploads/mount-dst", `?mount=${digest}&from=uploads/mount-src`),
      { method: "POST" },
    );
    expect(response.status).toBe(201);
    expect(response.headers.get("docker-content-digest")).toBe(digest);
    expect(response.headers.get("location")).toEndWith(`/v2/uploads/mount-dst/blobs/${digest}`);
    expect(await (await readBlob("uploads/mount-dst", digest)).text()).toBe("mount me");
  });

  test("a blob absent from `from` gets a new upload session (202)", async () => {
    await pushBlob(registry.url, "uploads/mount-src", "something");
    const digest = sha256("not in the source");
    const response = await fetch(
      uploadsUrl("uploads/mount-dst", `?mount=${digest}&from=uploads/mount-src`),
      { method: "POST" },
    );
    expect(response.status).toBe(202);
    expect(response.headers.get("range")).toBe("0-0");
    const location = new URL(response.headers.get("location") ?? "", registry.url);
    expect(location.pathname).toMatch(UPLOAD_PATH);
    expect((await fetch(location)).status).toBe(204);
    expect((await readBlob("uploads/mount-dst", digest)).status).toBe(404);
  });

  test("a `from` repository that does not exist gets a new upload session (202)", async () => {
    const digest = await pushBlob(registry.url, "uploads/mount-real", "real blob");
    const response = await fetch(
      uploadsUrl("uploads/mount-dst", `?mount=${digest}&from=uploads/no-such-repo`),
      { method: "POST" },
    );
    expect(response.status).toBe(202);
    expect(response.headers.get("docker-upload-uuid")).toBeTruthy();
  });

  test("?mount= without `from` gets a new upload session (202)", async () => {
    const digest = await pushBlob(registry.url, "uploads/mount-src", "no from given");
    const response = await fetch(uploadsUrl("uploads/mount-dst", `?mount=${digest}`), {
      method: "POST",
    });
    expect(response.status).toBe(202);
    expect((await readBlob("uploads/mount-dst", digest)).status).toBe(404);
  });
});

test("the same blob pushed concurrently to two repositories is 201 for both", async () => {
  const data = "pushed twice at once ".repeat(5000);
  const digest = sha256(data);
  const push = async (name: string) => {
    const url = await openUpload(registry.url, name);
    await patch(url, data.slice(0, 50000));
    return fetch(withDigest(url, digest), { method: "PUT", body: data.slice(50000) });
  };
  const answers = await Promise.all([push("uploads/race-a"), push("uploads/race-b")]);
  expect(answers.map((response) => response.status)).toEqual([201, 201]);
  for (const name of ["uploads/race-a", "uploads/race-b"]) {
    expect(await (await readBlob(name, digest)).text()).toBe(data);
  }
});

test("an upload survives a registry restart", async () => {
  const first = await startTestRegistry();
  const restarted = { registry: first };
  try {
    const url = await openUpload(first.url, "uploads/restart");
    const before = await fetch(url, {
      method: "PATCH",
      headers: { "Content-Range": "0-6" },
      body: "before ",
    });
    expect(before.status).toBe(202);
    await first.stop();

    restarted.registry = await startTestRegistry({ dataDir: first.dataDir });
    const moved = new URL(url.pathname, restarted.registry.url);
    expect((await fetch(moved)).headers.get("range")).toBe("0-6");
    const after = await fetch(moved, {
      method: "PATCH",
      headers: { "Content-Range": "7-11" },
      body: "after",
    });
    expect(after.status).toBe(202);
    expect(after.headers.get("range")).toBe("0-11");

    // The running hash was lost with the process; the registry must hash the file again.
    const digest = sha256("before after");
    const done = await fetch(withDigest(moved, digest), { method: "PUT" });
    expect(done.status).toBe(201);
    expect(done.headers.get("docker-content-digest")).toBe(digest);
    const blob = await fetch(`${restarted.registry.url}/v2/uploads/restart/blobs/${digest}`);
    expect(await blob.text()).toBe("before after");
  } finally {
    await restarted.registry.destroy();
    await first.destroy();
  }
});

test("a chunk whose length differs from its Content-Range is refused and not kept", async () => {
  const start = await fetch(`${registry.url}/v2/length/check/blobs/uploads/`, { method: "POST" });
  const location = new URL(start.headers.get("location") ?? "", registry.url);
  const patched = await fetch(location, {
    method: "PATCH",
    headers: { "Content-Range": "0-9" },
    body: "abc",
  });
  await expectOciError(patched, 400, "BLOB_UPLOAD_INVALID");
  const status = await fetch(location);
  expect(status.status).toBe(204);
  expect(status.headers.get("range")).toBe("0-0");
});

test("a Content-Length that contradicts Content-Range is refused before the body is read", async () => {
  const location = await openUpload(registry.url, "uploads/declared");
  const response = await fetch(location, {
    method: "PATCH",
    headers: { "Content-Range": "0-0", "Content-Length": "5" },
    body: "hello",
  });
  await expectOciError(response, 400, "BLOB_UPLOAD_INVALID");
  expect((await fetch(location)).headers.get("range")).toBe("0-0");
});

test("a failed single-request upload leaves no session behind", async () => {
  const before = readdirSync(join(registry.dataDir, "uploads")).length;
  const response = await fetch(
    `${registry.url}/v2/uploads/single-fail/blobs/uploads/?digest=${sha256("other bytes")}`,
    { method: "POST", body: "these bytes" },
  );
  await expectOciError(response, 400, "DIGEST_INVALID");
  expect(readdirSync(join(registry.dataDir, "uploads")).length).toBe(before);
});

test("the purge never removes an upload that is being started or written", async () => {
  const { uploads } = registry.running.registry;
  const started = await Promise.all(
    Array.from({ length: 40 }, async () => {
      const state = await uploads.start("uploads/purge-race");
      await uploads.purge(3600);
      return state.id;
    }),
  );
  for (const id of started) {
    const status = await fetch(`${registry.url}/v2/uploads/purge-race/blobs/uploads/${id}`);
    expect(status.status).toBe(204);
  }
});

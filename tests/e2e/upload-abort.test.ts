/**
 * Clients that drop the connection in the middle of an upload body, against the compiled
 * binary: the server must close the upload file and the connection, release the upload's
 * lock at once (not after the 60 s stall timeout), keep the session usable from its last
 * complete chunk, and purge the sessions nobody comes back to after storage.upload_max_age.
 */
import { afterEach, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { sha256 } from "../helpers/oci-client.ts";
import { settledDescriptors } from "./load/connection-flush.ts";
import { type LoadRegistry, startLoadRegistry } from "./load/load-registry.ts";

/** Short, so the purge (every quarter of it, at least every second) runs within the test. */
const UPLOAD_MAX_AGE_SECONDS = 3;
const ANNOUNCED_BYTES = 4 * 1024 * 1024;
const SENT_BYTES = 256 * 1024;

let registry: LoadRegistry | null = null;
afterEach(async () => {
  await registry?.destroy();
  registry = null;
});

async function openUpload(target: LoadRegistry, name: string): Promise<string> {
  const response = await fetch(`${target.url}/v2/${name}/blobs/uploads/`, {
    method: "POST",
    headers: { Authorization: target.admin.authorization },
  });
  expect(response.status).toBe(202);
  return new URL(response.headers.get("location") ?? "", target.url).pathname;
}

/**
 * Sends a request head announcing ANNOUNCED_BYTES, then SENT_BYTES of body, then drops the
 * connection: with a reset (`destroy`, what a killed client does) or a FIN (`end`).
 */
function dropMidBody(
  target: LoadRegistry,
  method: "PATCH" | "PUT",
  path: string,
  how: "reset" | "close",
): Promise<void> {
  return new Promise((resolve, reject) => {
    // A PUT names the digest of the whole blob, or it is refused before its body is read.
    const requestPath = method === "PUT" ? `${path}?digest=${sha256("the whole blob")}` : path;
    const socket = connect(target.port, "127.0.0.1", () => {
      socket.write(
        `${method} ${requestPath} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\n` +
          `Authorization: ${target.admin.authorization}\r\n` +
          `Content-Type: application/octet-stream\r\nContent-Length: ${ANNOUNCED_BYTES}\r\n\r\n`,
      );
      socket.write(new Uint8Array(SENT_BYTES).fill(1), () => {
        // Long enough for the server to be inside the body, writing to the upload file.
        setTimeout(() => {
          if (how === "reset") socket.resetAndDestroy();
          else socket.end();
          resolve();
        }, 200);
      });
    });
    socket.on("error", reject);
  });
}

async function uploadSize(target: LoadRegistry, path: string): Promise<number | null> {
  const response = await fetch(`${target.url}${path}`, {
    headers: { Authorization: target.admin.authorization },
  });
  if (response.status === 404) return null;
  expect(response.status).toBe(204);
  return Number(response.headers.get("range")?.split("-")[1]) + 1;
}

test("uploads dropped mid-body leak nothing, stay usable, and are purged when abandoned", async () => {
  registry = await startLoadRegistry({ MCR_STORAGE_UPLOAD_MAX_AGE: `${UPLOAD_MAX_AGE_SECONDS}s` });
  const target = registry;
  const before = await settledDescriptors(target);

  // A first chunk that arrives whole, so that resuming has a point to resume from.
  const first = new Uint8Array(1000).fill(7);
  const kept: string[] = [];
  const abandoned: string[] = [];
  const drops: Promise<void>[] = [];
  for (let i = 0; i < 12; i++) {
    const path = await openUpload(target, `abort/repo-${i % 3}`);
    const patched = await fetch(`${target.url}${path}`, {
      method: "PATCH",
      headers: { Authorization: target.admin.authorization, "Content-Range": "0-999" },
      body: first,
    });
    expect(patched.status).toBe(202);
    drops.push(dropMidBody(target, i % 2 ? "PATCH" : "PUT", path, i % 4 < 2 ? "reset" : "close"));
    (i < 6 ? kept : abandoned).push(path);
  }
  await Promise.all(drops);

  // Each session holds exactly its whole first chunk: the broken request's bytes are gone,
  // and its lock is free (a held lock would make this wait for the 60 s stall timeout).
  const resumedBy = Date.now() + 2000;
  for (const path of kept) {
    expect(await uploadSize(target, path)).toBe(1000);
    const second = new Uint8Array(500).fill(8);
    const done = await fetch(
      `${target.url}${path}?digest=${sha256(Buffer.concat([first, second]))}`,
      {
        method: "PUT",
        headers: { Authorization: target.admin.authorization },
        body: second,
      },
    );
    expect(done.status).toBe(201);
  }
  expect(Date.now()).toBeLessThan(resumedBy);

  // Sessions nobody comes back to are purged: rows and files.
  const purgedBy = Date.now() + (UPLOAD_MAX_AGE_SECONDS + 5) * 1000;
  while (readdirSync(join(target.dataDir, "uploads")).length > 0 && Date.now() < purgedBy) {
    await Bun.sleep(250);
  }
  expect(readdirSync(join(target.dataDir, "uploads"))).toEqual([]);
  for (const path of abandoned) expect(await uploadSize(target, path)).toBeNull();

  // Nothing left open: the upload files were closed and the dropped connections too.
  const after = await settledDescriptors(target);
  expect(after.files).toEqual(before.files);
  expect(after.listening).toBe(before.listening);
  expect(after.established).toBe(0);
  expect(after.closing).toBe(0);
  expect(Math.abs(after.total - before.total)).toBeLessThanOrEqual(2);
}, 30_000);

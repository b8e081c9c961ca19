/**
 * A chunk written to disk whose new size the database then refuses to record (a full disk
 * fails it so; a trigger does here) is cut back off the upload at once: the bytes and the
 * recorded size agree, and the session goes on from there.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "../helpers/oci-client.ts";
import { openUpload } from "../helpers/oci-expect.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
let sqlite: Database;
beforeAll(async () => {
  registry = await startTestRegistry();
  sqlite = new Database(join(registry.dataDir, "mcr.db"));
});
afterAll(async () => {
  sqlite.close();
  await registry.destroy();
});

function patch(session: URL, body: string, start: number): Promise<Response> {
  const end = start + body.length - 1;
  return fetch(session, { method: "PATCH", headers: { "Content-Range": `${start}-${end}` }, body });
}

test("the upload keeps only what its row records, and resumes from there", async () => {
  const session = await openUpload(registry.url, "unrecorded/app");
  expect((await patch(session, "first chunk;", 0)).status).toBe(202);

  sqlite.run(
    "CREATE TRIGGER refuse_size BEFORE UPDATE OF size ON uploads " +
      "BEGIN SELECT RAISE(ABORT, 'no room to record the size'); END",
  );
  const refused = await patch(session, "x".repeat(100_000), 12);
  expect(refused.status).toBe(500);
  const [file] = readdirSync(join(registry.dataDir, "uploads"));
  expect(statSync(join(registry.dataDir, "uploads", file ?? "")).size).toBe(12);
  expect((await fetch(session)).headers.get("range")).toBe("0-11");

  sqlite.run("DROP TRIGGER refuse_size");
  expect((await patch(session, "second chunk", 12)).status).toBe(202);
  const done = new URL(session);
  done.searchParams.set("digest", sha256("first chunk;second chunk"));
  expect((await fetch(done, { method: "PUT" })).status).toBe(201);
});

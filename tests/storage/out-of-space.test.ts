import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { asApiError } from "../../src/api/api-error.ts";
import { isOutOfSpace } from "../../src/storage/out-of-space.ts";

/** A real SQLITE_FULL: a database capped at the pages it already has. */
function sqliteFullError(): unknown {
  const database = new Database(":memory:");
  try {
    database.run("CREATE TABLE filler (content BLOB)");
    const pages = database.query("PRAGMA page_count").get() as { page_count: number };
    database.run(`PRAGMA max_page_count = ${pages.page_count}`);
    database.run("INSERT INTO filler VALUES (zeroblob(65536))");
    return null;
  } catch (error) {
    return error;
  } finally {
    database.close();
  }
}

function errnoError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: failed, write`), { code });
}

test("a full disk, a full quota and a full database are out of space", () => {
  expect(isOutOfSpace(errnoError("ENOSPC"))).toBe(true);
  expect(isOutOfSpace(errnoError("EDQUOT"))).toBe(true);
  expect(isOutOfSpace(sqliteFullError())).toBe(true);
});

test("other failures are not", () => {
  for (const error of [errnoError("EIO"), errnoError("ENOENT"), new Error("x"), null, "ENOSPC"]) {
    expect(isOutOfSpace(error)).toBe(false);
  }
});

test("the admin API reports a full disk as unavailable, saying so", () => {
  const refusal = asApiError(errnoError("ENOSPC"));
  expect(refusal?.kind).toBe("unavailable");
  expect(refusal?.message).toContain("storage is full");
});

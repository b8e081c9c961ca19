import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { cacheStatements } from "../../src/db/statement-cache.ts";

test("a repeated query reuses its compiled statement, and answers as before", () => {
  const database = new Database(":memory:", { strict: true });
  cacheStatements(database);
  database.run("CREATE TABLE t (n INTEGER)");
  const insert = database.prepare("INSERT INTO t (n) VALUES ($n)");
  expect(database.prepare("INSERT INTO t (n) VALUES ($n)")).toBe(insert);
  insert.run({ n: 1 });
  database.prepare("INSERT INTO t (n) VALUES ($n)").run({ n: 2 });
  expect(database.prepare("SELECT n FROM t ORDER BY n").all()).toEqual([{ n: 1 }, { n: 2 }]);
  database.close();
});

test("only the most recently used statements are kept; the others are finalized", () => {
  const database = new Database(":memory:");
  cacheStatements(database);
  const first = database.prepare("SELECT 0");
  for (let i = 1; i <= 300; i++) database.prepare(`SELECT ${i}`);
  // Evicted: asking again compiles a new statement, and the old one can no longer run.
  expect(database.prepare("SELECT 0")).not.toBe(first);
  expect(() => first.all()).toThrow();
  const recent = database.prepare("SELECT 300");
  expect(database.prepare("SELECT 300")).toBe(recent);
  database.close();
  expect(() => recent.all()).toThrow();
});

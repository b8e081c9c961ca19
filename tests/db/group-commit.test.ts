import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type DatabaseConnection, type Driver, Kysely, sql } from "kysely";
import { GroupCommit } from "../../src/db/group-commit.ts";
import type { Db } from "../../src/db/schema.ts";
import { SqliteDialect } from "../../src/db/sqlite-dialect.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

/** The real dialect, counting the commits it is asked for. */
class CountingDialect extends SqliteDialect {
  commits = 0;
  onCommit: () => void = () => {};

  override createDriver(): Driver {
    const inner = super.createDriver();
    return {
      init: () => inner.init(),
      acquireConnection: () => inner.acquireConnection(),
      beginTransaction: (connection, settings) => inner.beginTransaction(connection, settings),
      commitTransaction: (connection: DatabaseConnection) => {
        this.commits++;
        return inner.commitTransaction(connection).then(() => this.onCommit());
      },
      rollbackTransaction: (connection) => inner.rollbackTransaction(connection),
      releaseConnection: (connection) => inner.releaseConnection(connection),
      destroy: () => inner.destroy(),
    };
  }
}

let folder: string;
let sqlite: Database;
let dialect: CountingDialect;
let db: Db;
let group: GroupCommit;

beforeEach(() => {
  folder = makeTempFolder();
  sqlite = new Database(join(folder, "group.db"), { create: true, strict: true });
  sqlite.run("PRAGMA journal_mode = WAL");
  sqlite.run("PRAGMA foreign_keys = ON");
  sqlite.run("CREATE TABLE parents (id INTEGER PRIMARY KEY)");
  sqlite.run("CREATE TABLE notes (text TEXT PRIMARY KEY)");
  // Checked only at COMMIT: a way to make the commit itself fail.
  sqlite.run(
    "CREATE TABLE children (parent INTEGER REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED)",
  );
  dialect = new CountingDialect(sqlite);
  db = new Kysely({ dialect }) as unknown as Db;
  group = new GroupCommit(db);
});

afterEach(async () => {
  await db.destroy();
  sqlite.close();
  removeFolder(folder);
});

function addNote(text: string) {
  return (transaction: Db) => sql`INSERT INTO notes (text) VALUES (${text})`.execute(transaction);
}

function notes(): string[] {
  return (sqlite.query("SELECT text FROM notes ORDER BY text").all() as { text: string }[]).map(
    (row) => row.text,
  );
}

describe("GroupCommit", () => {
  test("changes started together share one commit, and each gets its own result", async () => {
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        group.run(async (transaction) => {
          await addNote(`n${String(i).padStart(2, "0")}`)(transaction);
          return i * 2;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 16 }, (_, i) => i * 2));
    expect(dialect.commits).toBe(1);
    expect(notes()).toHaveLength(16);
  });

  test("a change that throws is undone alone; the others commit", async () => {
    const outcomes = await Promise.allSettled([
      group.run(addNote("first")),
      group.run(async (transaction) => {
        await addNote("half-done")(transaction);
        throw new Error("refused by its checks");
      }),
      group.run(addNote("first")), // a duplicate key: SQLite refuses the statement
      group.run(addNote("last")),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      "fulfilled",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe("refused by its checks");
    expect(String((outcomes[2] as PromiseRejectedResult).reason)).toContain("UNIQUE");
    expect(notes()).toEqual(["first", "last"]);
    expect(dialect.commits).toBe(1);
  });

  test("when the commit fails, every change fails and none is stored", async () => {
    const outcomes = await Promise.allSettled([
      group.run(addNote("a")),
      group.run((transaction) =>
        sql`INSERT INTO children (parent) VALUES (42)`.execute(transaction),
      ),
      group.run(addNote("b")),
    ]);
    expect(outcomes.every((outcome) => outcome.status === "rejected")).toBe(true);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toContain("FOREIGN KEY");
    expect(notes()).toEqual([]);
    expect(sqlite.inTransaction).toBe(false);

    // The next change commits as usual.
    await group.run(addNote("after"));
    expect(notes()).toEqual(["after"]);
  });

  test("a change is answered only after its commit", async () => {
    const events: string[] = [];
    dialect.onCommit = () => events.push("commit");
    await group.run(addNote("durable")).then(() => events.push("answered"));
    expect(events).toEqual(["commit", "answered"]);
  });

  test("changes that arrive while a commit is being written share the next one", async () => {
    let later: Promise<unknown>[] = [];
    const slow = group.run(async (transaction) => {
      await addNote("slow")(transaction);
      // Other requests get their turn while this change is still open.
      later = Array.from({ length: 5 }, (_, i) => group.run(addNote(`later ${i}`)));
      await Bun.sleep(20);
    });
    await slow;
    expect(dialect.commits).toBe(1);
    await Promise.all(later);
    expect(dialect.commits).toBe(2);
    expect(notes()).toHaveLength(6);
  });
});

describe("GroupCommit when SQLite ends the transaction inside a change", () => {
  /** What SQLite does on SQLITE_FULL in a single-row insert: the whole transaction is gone. */
  function fullDisk() {
    return async (transaction: Db) => {
      await addNote("never stored")(transaction);
      await sql`ROLLBACK`.execute(transaction);
      throw Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
    };
  }

  test("every change of the batch fails with the error that ended it, and none is stored", async () => {
    const outcomes = await Promise.allSettled([
      group.run(addNote("before")),
      group.run(fullDisk()),
      group.run(addNote("after")),
    ]);
    const reasons = outcomes.map((outcome) => (outcome as PromiseRejectedResult).reason);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["rejected", "rejected", "rejected"]);
    // Not "no such savepoint": callers answer SQLITE_FULL with 507, anything else with 500.
    for (const reason of reasons) expect(reason.code).toBe("SQLITE_FULL");
    expect(notes()).toEqual([]);
    expect(sqlite.inTransaction).toBe(false);

    await group.run(addNote("later"));
    expect(notes()).toEqual(["later"]);
  });
});

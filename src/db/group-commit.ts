import { sql } from "kysely";
import type { Db } from "./schema.ts";

/** The most changes one commit carries, so that one batch cannot hold the others for long. */
const MOST_PER_COMMIT = 64;

interface Change<T> {
  work: (transaction: Db) => Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

type Outcome = { done: true; value: unknown } | { done: false; error: unknown };

/**
 * Commits concurrent small changes together. Every commit syncs SQLite's log to disk, and on
 * this kind of machine the sync is most of a tag push's time; bun:sqlite also syncs on the
 * main thread, so nothing else runs meanwhile. Changes that arrive while one commit is
 * being written wait for the next one and share it, each inside a savepoint of its own: a
 * change that throws is undone alone and its caller gets its error, the others still
 * commit. When the commit itself fails (a full disk), or SQLite ends the transaction inside
 * a change (it does for SQLITE_FULL), nothing was stored and every caller gets that error.
 * A caller is answered only after the commit that holds its change, so an answer still
 * means the change is on disk.
 *
 * A change must only use the database it is given: while it runs, every other change
 * waits.
 */
export class GroupCommit {
  readonly #db: Db;
  #waiting: Change<unknown>[] = [];
  #writing = false;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Runs `work` in a transaction shared with the changes around it; resolves once committed. */
  run<T>(work: (transaction: Db) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ work, resolve, reject } as Change<unknown>);
      if (this.#writing) return;
      this.#writing = true;
      // The requests that arrived with this one reach here in the same turn of the loop.
      setImmediate(() => this.#writeAll());
    });
  }

  async #writeAll(): Promise<void> {
    while (this.#waiting.length > 0) {
      await this.#commit(this.#waiting.splice(0, MOST_PER_COMMIT));
      // Requests that arrived during the sync are handled first, so they join the next one.
      if (this.#waiting.length > 0) await new Promise((next) => setImmediate(next));
    }
    this.#writing = false;
  }

  async #commit(changes: Change<unknown>[]): Promise<void> {
    const outcomes: Outcome[] = [];
    try {
      await this.#db.transaction().execute(async (transaction) => {
        for (const change of changes) {
          await sql`SAVEPOINT group_change`.execute(transaction);
          try {
            outcomes.push({ done: true, value: await change.work(transaction) });
          } catch (error) {
            outcomes.push({ done: false, error });
            try {
              await sql`ROLLBACK TO group_change`.execute(transaction);
            } catch {
              // SQLite has ended the whole transaction (a full disk, an I/O error: SQLite
              // rolls back everything for SQLITE_FULL in a statement without a statement
              // journal), so the savepoint is gone. The batch fails as one, with the error
              // that ended it: "no such savepoint" would answer a full disk with a 500.
              throw error;
            }
          }
          await sql`RELEASE group_change`.execute(transaction);
        }
      });
    } catch (error) {
      changes.forEach((change, index) => {
        const outcome = outcomes[index];
        change.reject(outcome && !outcome.done ? outcome.error : error);
      });
      return;
    }
    changes.forEach((change, index) => {
      const outcome = outcomes[index] as Outcome;
      if (outcome.done) change.resolve(outcome.value);
      else change.reject(outcome.error);
    });
  }
}

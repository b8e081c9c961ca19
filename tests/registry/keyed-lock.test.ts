import { describe, expect, test } from "bun:test";
import { KeyedLock } from "../../src/registry/keyed-lock.ts";

/** A promise with its resolve function, to hold work open until a test lets it go. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe("KeyedLock", () => {
  test("runs work on one key one at a time, in order", async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const first = gate();

    const a = lock.run("upload", async () => {
      events.push("a start");
      await first.opened;
      events.push("a end");
      return "a";
    });
    const b = lock.run("upload", async () => {
      events.push("b start");
      return "b";
    });
    await Bun.sleep(5);
    expect(events).toEqual(["a start"]);

    first.open();
    expect(await Promise.all([a, b])).toEqual(["a", "b"]);
    expect(events).toEqual(["a start", "a end", "b start"]);
  });

  test("runs work on different keys at the same time", async () => {
    const lock = new KeyedLock();
    const held = gate();
    const events: string[] = [];

    const slow = lock.run("one", async () => {
      await held.opened;
      events.push("one");
    });
    await lock.run("two", async () => {
      events.push("two");
    });
    expect(events).toEqual(["two"]);

    held.open();
    await slow;
    expect(events).toEqual(["two", "one"]);
  });

  test("a rejected task passes its error to its caller and frees the key", async () => {
    const lock = new KeyedLock();
    const failing = lock.run("key", async () => {
      throw new Error("disk full");
    });
    const next = lock.run("key", async () => "after");

    await expect(failing).rejects.toThrow("disk full");
    expect(await next).toBe("after");
    expect(lock.isBusy("key")).toBe(false);
  });

  test("a task that throws before awaiting does not wedge the key", async () => {
    const lock = new KeyedLock();
    await expect(
      lock.run("key", () => {
        throw new Error("at once");
      }),
    ).rejects.toThrow("at once");
    expect(await lock.run("key", async () => 1)).toBe(1);
  });

  test("isBusy is true while work holds or waits for the key", async () => {
    const lock = new KeyedLock();
    const held = gate();
    expect(lock.isBusy("key")).toBe(false);

    const first = lock.run("key", () => held.opened);
    const second = lock.run("key", async () => {});
    expect(lock.isBusy("key")).toBe(true);
    expect(lock.isBusy("other")).toBe(false);

    held.open();
    await first;
    expect(lock.isBusy("key")).toBe(true);
    await second;
    expect(lock.isBusy("key")).toBe(false);
  });
});

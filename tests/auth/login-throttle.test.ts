import { describe, expect, test } from "bun:test";
import { LoginThrottle, LoginThrottledError } from "../../src/auth/login-throttle.ts";

/** A throttle on a clock the test moves by hand. */
function throttleAt(options: { perAccount?: number; perAddress?: number; maxEntries?: number }) {
  const clock = { now: 1_000_000 };
  const throttle = new LoginThrottle({
    maxFailuresPerAccount: options.perAccount ?? 3,
    maxFailuresPerAddress: options.perAddress ?? 10,
    windowMs: 60_000,
    maxEntries: options.maxEntries,
    now: () => clock.now,
  });
  const fail = (username: string, address: string) =>
    throttle.failed(throttle.begin(username, address));
  const refusal = (username: string, address: string): LoginThrottledError | null => {
    try {
      throttle.abandoned(throttle.begin(username, address));
      return null;
    } catch (error) {
      if (error instanceof LoginThrottledError) return error;
      throw error;
    }
  };
  return { clock, throttle, fail, refusal };
}

describe("login throttle", () => {
  test("locks an account after N failures, for one window, and says when to retry", () => {
    const { clock, fail, refusal } = throttleAt({ perAccount: 3 });
    expect(fail("alice", "10.0.0.1")).toEqual([]);
    expect(fail("alice", "10.0.0.2")).toEqual([]);
    expect(refusal("alice", "10.0.0.3")).toBeNull();
    expect(fail("alice", "10.0.0.3")).toEqual([
      { scope: "account", failures: 3, retryAfterSeconds: 60 },
    ]);

    const locked = refusal("alice", "10.0.0.9");
    expect(locked?.scope).toBe("account");
    expect(locked?.retryAfterSeconds).toBe(60);
    // Another account from another address is not affected.
    expect(refusal("bob", "10.0.0.9")).toBeNull();

    clock.now += 59_000;
    expect(refusal("alice", "10.0.0.9")?.retryAfterSeconds).toBe(1);
    clock.now += 1_001;
    expect(refusal("alice", "10.0.0.9")).toBeNull();
  });

  test("names are counted whether they exist or not, and without regard to case", () => {
    const { fail, refusal } = throttleAt({ perAccount: 2 });
    fail("NoSuchUser", "10.0.0.1");
    fail("nosuchuser", "10.0.0.2");
    expect(refusal("nosuchUSER", "10.0.0.3")?.scope).toBe("account");
  });

  test("each lockout lasts twice the one before while failures continue", () => {
    const { clock, fail, refusal } = throttleAt({ perAccount: 1 });
    expect(fail("alice", "a")[0]?.retryAfterSeconds).toBe(60);
    clock.now += 60_001;
    expect(fail("alice", "b")[0]?.retryAfterSeconds).toBe(120);
    clock.now += 120_001;
    expect(fail("alice", "c")[0]?.retryAfterSeconds).toBe(240);
    // A quiet window after the lockout ends forgets the history.
    clock.now += 240_000 + 60_001;
    expect(refusal("alice", "d")).toBeNull();
    expect(fail("alice", "d")[0]?.retryAfterSeconds).toBe(60);
  });

  test("failures older than the window no longer count", () => {
    const { clock, fail, refusal } = throttleAt({ perAccount: 2 });
    fail("alice", "a");
    clock.now += 60_001;
    expect(fail("alice", "a")).toEqual([]);
    expect(refusal("alice", "a")).toBeNull();
  });

  test("a success clears the account's failures but not the address's", () => {
    const { throttle, fail, refusal } = throttleAt({ perAccount: 2, perAddress: 3 });
    fail("alice", "10.0.0.1");
    throttle.succeeded(throttle.begin("alice", "10.0.0.1"));
    expect(fail("alice", "10.0.0.1")).toEqual([]);
    // The address has failed twice; a third failure, under any name, locks it.
    expect(fail("carol", "10.0.0.1")).toEqual([
      { scope: "address", failures: 3, retryAfterSeconds: 60 },
    ]);
    expect(refusal("dave", "10.0.0.1")?.scope).toBe("address");
    expect(refusal("dave", "10.0.0.2")).toBeNull();
  });

  test("attempts still being checked count, so a parallel burst cannot slip past", () => {
    const { throttle } = throttleAt({ perAccount: 3 });
    const admitted = [0, 1, 2].map(() => throttle.begin("alice", "10.0.0.1"));
    expect(() => throttle.begin("alice", "10.0.0.2")).toThrow(LoginThrottledError);
    for (const attempt of admitted) throttle.abandoned(attempt);
    expect(() => throttle.abandoned(throttle.begin("alice", "10.0.0.2"))).not.toThrow();
  });

  test("a success under one spelling keeps failures under another", () => {
    const { clock, throttle, fail, refusal } = throttleAt({ perAccount: 3 });
    // Local names are case-sensitive: CAROL's owner logging in must not reset carol's count.
    fail("carol", "10.0.0.1");
    fail("carol", "10.0.0.1");
    throttle.succeeded(throttle.begin("CAROL", "10.0.0.2"));
    expect(fail("carol", "10.0.0.1")).toEqual([
      { scope: "account", failures: 3, retryAfterSeconds: 60 },
    ]);

    // Nor the lockout history: the next lockout still lasts twice as long.
    clock.now += 60_001;
    throttle.succeeded(throttle.begin("CAROL", "10.0.0.2"));
    fail("carol", "10.0.0.3");
    fail("carol", "10.0.0.3");
    expect(fail("carol", "10.0.0.3")[0]?.retryAfterSeconds).toBe(120);

    // Failures under several spellings are cleared by none of them.
    clock.now += 120_001;
    fail("dave", "10.0.0.1");
    fail("Dave", "10.0.0.1");
    throttle.succeeded(throttle.begin("dave", "10.0.0.2"));
    expect(fail("DAVE", "10.0.0.4")[0]?.scope).toBe("account");
    expect(refusal("dave", "10.0.0.5")?.scope).toBe("account");
  });

  test("a locked address adds no names to the table, so it cannot push an account out", () => {
    const { throttle, fail, refusal } = throttleAt({
      perAccount: 3,
      perAddress: 5,
      maxEntries: 50,
    });
    for (let i = 0; i < 3; i++) fail("admin", "10.0.0.1");
    for (let i = 0; i < 5; i++) fail(`guess${i}`, "10.6.6.6");
    const before = throttle.size.accounts;

    for (let i = 0; i < 1000; i++)
      expect(refusal(`made-up${i}`, "10.6.6.6")?.scope).toBe("address");
    expect(throttle.size.accounts).toBe(before);
    expect(refusal("admin", "10.0.0.2")?.scope).toBe("account");
  });

  test("a flood of new names and addresses evicts no lockout and no attempt in progress", () => {
    const { throttle, fail, refusal } = throttleAt({
      perAccount: 2,
      perAddress: 2,
      maxEntries: 50,
    });
    fail("admin", "10.0.0.1");
    fail("admin", "10.0.0.2");
    fail("x", "10.9.9.9");
    fail("y", "10.9.9.9");
    const inProgress = throttle.begin("bob", "10.0.0.3");

    for (let i = 0; i < 1000; i++) fail(`made-up${i}`, `10.1.${i >> 8}.${i & 255}`);
    expect(throttle.size).toEqual({ accounts: 50, addresses: 50 });
    expect(refusal("admin", "10.0.0.4")?.scope).toBe("account");
    expect(refusal("z", "10.9.9.9")?.scope).toBe("address");
    // Bob's attempt is still counted when it fails, so his next failure locks him.
    expect(throttle.failed(inProgress)).toEqual([]);
    expect(fail("bob", "10.0.0.5")[0]?.scope).toBe("account");
  });

  test("memory stays bounded when every name is locked: then newcomers are not remembered", () => {
    const { throttle, fail, refusal } = throttleAt({ perAccount: 1, maxEntries: 100 });
    fail("victim", "10.9.9.9");
    for (let i = 0; i < 1000; i++) fail(`user${i}`, `10.0.${i >> 8}.${i & 255}`);
    expect(throttle.size).toEqual({ accounts: 100, addresses: 100 });
    // No lockout was given up for the flood: the first locked names stay locked.
    expect(refusal("victim", "10.1.1.1")?.scope).toBe("account");
    expect(refusal("user98", "10.1.1.1")?.scope).toBe("account");
    // A name that found the table full of lockouts counts against its address only.
    expect(refusal("user999", "10.1.1.1")).toBeNull();
  });

  test("very long names are cut and kept apart by their beginning", () => {
    const { fail, refusal } = throttleAt({ perAccount: 1 });
    fail(`${"x".repeat(10_000)}a`, "a");
    expect(refusal(`${"x".repeat(10_000)}b`, "b")?.scope).toBe("account");
  });
});

import { expect, test } from "bun:test";
import type { Identity } from "../../../src/auth/identity.ts";
import { TokenAnswerCache } from "../../../src/auth/mcias/answer-cache.ts";

/** The cache of token answers, on a clock the test moves. */
const ALICE: Identity = { id: "a", username: "alice", accountType: "human", roles: ["admin"] };

function cacheAt(maxEntries: number) {
  const clock = { now: 1_000 };
  return { cache: new TokenAnswerCache(maxEntries, () => clock.now), clock };
}

test("an answer is kept until it expires; null answers too", () => {
  const { cache, clock } = cacheAt(10);
  cache.set("k1", ALICE, 2_000);
  cache.set("k2", null, 2_000);

  expect(cache.get("k1")).toEqual(ALICE);
  expect(cache.get("k2")).toBeNull();
  expect(cache.get("k3")).toBeUndefined();

  clock.now = 2_000;
  expect(cache.get("k1")).toBeUndefined();
  expect(cache.get("k2")).toBeUndefined();
  expect(cache.size).toBe(0);
});

test("an answer already expired is not stored", () => {
  const { cache } = cacheAt(10);
  cache.set("k", ALICE, 1_000);

  expect(cache.size).toBe(0);
});

test("a full cache drops its oldest answer", () => {
  const { cache } = cacheAt(3);
  for (const key of ["k1", "k2", "k3", "k4", "k5"]) cache.set(key, null, 5_000);

  expect(cache.size).toBe(3);
  expect(cache.get("k1")).toBeUndefined();
  expect(cache.get("k2")).toBeUndefined();
  expect(cache.get("k5")).toBeNull();
});

test("storing a key again refreshes its place", () => {
  const { cache } = cacheAt(2);
  cache.set("k1", ALICE, 5_000);
  cache.set("k2", null, 5_000);
  cache.set("k1", ALICE, 6_000);
  cache.set("k3", null, 5_000);

  expect(cache.get("k1")).toEqual(ALICE);
  expect(cache.get("k2")).toBeUndefined();
});

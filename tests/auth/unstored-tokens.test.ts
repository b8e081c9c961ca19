import { expect, test } from "bun:test";
import { UnstoredTokens } from "../../src/auth/unstored-tokens.ts";
import type { TokenRecord } from "../../src/db/tokens.ts";

function record(id: string, createdAt: number, expiresAt: number | null): TokenRecord {
  return {
    id,
    kind: "registry",
    subjectId: "account-1",
    username: "alice",
    accountType: "human",
    roles: [],
    access: null,
    description: "",
    createdAt,
    expiresAt,
    revokedAt: null,
  };
}

test("a token is found by its hash until it expires", () => {
  const tokens = new UnstoredTokens();
  tokens.add("hash-a", record("a", 1000, 2000));
  expect(tokens.find("hash-a", 1999)?.id).toBe("a");
  expect(tokens.find("hash-a", 2000)).toBeNull();
  expect(tokens.size).toBe(0);
});

test("revoking by id forgets it; an unknown id is no revocation", () => {
  const tokens = new UnstoredTokens();
  tokens.add("hash-a", record("a", 1000, null));
  expect(tokens.revoke("b")).toBe(false);
  expect(tokens.revoke("a")).toBe(true);
  expect(tokens.find("hash-a", 1001)).toBeNull();
});

test("memory stays bounded: expired ones go first, then the oldest", () => {
  const tokens = new UnstoredTokens();
  for (let i = 0; i < 10_000; i++) tokens.add(`hash-${i}`, record(`${i}`, 1000, 5000));
  tokens.add("late", record("late", 6000, null));
  // At the bound, everything issued before had expired by then.
  expect(tokens.size).toBe(1);
  for (let i = 0; i < 10_001; i++) tokens.add(`again-${i}`, record(`${i}`, 7000, null));
  expect(tokens.size).toBe(10_000);
  expect(tokens.find("late", 7000)).toBeNull();
  expect(tokens.find("again-10000", 7000)?.id).toBe("10000");
});

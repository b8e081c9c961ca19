import { describe, expect, test } from "bun:test";
import {
  loginRequestBody,
  parseLoginResponse,
  parseValidateResponse,
} from "../../../src/auth/mcias/contract.ts";

/** The contract's parsers: anything off the contract is null, never an exception. */
const EXPIRES = "2030-01-02T03:04:05Z";
const VALID = {
  valid: true,
  sub: "acct-1",
  username: "alice",
  account_type: "human",
  roles: ["admin"],
  expires_at: EXPIRES,
};

test("the login body uses the service's field names", () => {
  expect(loginRequestBody("alice", "pw", "mcr", ["a"])).toEqual({
    username: "alice",
    password: "pw",
    service_name: "mcr",
    tags: ["a"],
  });
});

describe("login answers", () => {
  test("a token and its expiry", () => {
    expect(parseLoginResponse({ token: "t", expires_at: "2030-01-02T05:04:05+02:00" })).toEqual({
      token: "t",
      expiresAt: new Date(EXPIRES),
    });
  });

  const BAD: unknown[] = [
    undefined,
    null,
    "token",
    [],
    {},
    { token: "", expires_at: EXPIRES },
    { token: 42, expires_at: EXPIRES },
    { token: "t" },
    { token: "t", expires_at: "tomorrow" },
    { token: "t", expires_at: "2030-01-02" },
    { token: "t", expires_at: 1_900_000_000 },
  ];
  for (const body of BAD) {
    test(`off the contract: ${JSON.stringify(body)}`, () => {
      expect(parseLoginResponse(body)).toBeNull();
    });
  }
});

describe("validation answers", () => {
  test("a valid token", () => {
    expect(parseValidateResponse(VALID)).toEqual({
      valid: true,
      identity: { id: "acct-1", username: "alice", accountType: "human", roles: ["admin"] },
      expiresAt: new Date(EXPIRES),
    });
  });

  test("a token that is not valid needs no other field", () => {
    expect(parseValidateResponse({ valid: false })).toEqual({ valid: false });
  });

  const BAD: unknown[] = [
    null,
    [],
    {},
    { valid: "true" },
    { ...VALID, sub: "" },
    { ...VALID, username: null },
    { ...VALID, account_type: "admin" },
    { ...VALID, roles: "admin" },
    { ...VALID, roles: ["admin", 1] },
    { ...VALID, expires_at: undefined },
  ];
  for (const body of BAD) {
    test(`off the contract: ${JSON.stringify(body)}`, () => {
      expect(parseValidateResponse(body)).toBeNull();
    });
  }
});

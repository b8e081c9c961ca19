import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { toJsonString } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { type Client, Code } from "@connectrpc/connect";
import {
  AccountService,
  ListAccountsResponseSchema,
  ListTokensResponseSchema,
} from "../../src/gen/mcr/v1/accounts_pb.ts";
import { AuthService } from "../../src/gen/mcr/v1/auth_pb.ts";
import { type AuthRegistry, basic, bearer, startAuthRegistry } from "../helpers/auth.ts";
import {
  accountWithToken,
  connectRpc,
  expectEveryMethodRefused,
  expectRpcError,
  outcomeOf,
  type RpcConnector,
  type ValidRequests,
} from "../helpers/rpc-client.ts";

/** mcr.v1.AccountService over native gRPC: the local accounts and their API tokens. */
let registry: AuthRegistry;
let rpc: RpcConnector;
let accounts: Client<typeof AccountService>;
beforeAll(async () => {
  registry = await startAuthRegistry();
  rpc = connectRpc(registry);
  accounts = rpc(AccountService, registry.admin);
});
afterAll(() => registry.destroy());

/** How AuthService.Login answers these credentials: "OK" or a code's name. */
async function loginCode(username: string, password: string): Promise<string> {
  return (await outcomeOf(rpc(AuthService).login({ username, password }))).code;
}

/**
 * How ListAccounts answers a caller: "OK" for an admin, "PermissionDenied" for anyone else
 * who authenticated, "Unauthenticated" for credentials that do not sign anybody in.
 */
async function callerCode(authorization: string): Promise<string> {
  return (await outcomeOf(rpc(AccountService, authorization).listAccounts({}))).code;
}

async function listed(username: string) {
  const { accounts: all } = await accounts.listAccounts({});
  return all.find((account) => account.username === username);
}

describe("ListAccounts", () => {
  test("lists the accounts with type, roles and creation time, never a password", async () => {
    const answer = await accounts.listAccounts({});
    const admin = answer.accounts.find((account) => account.username === "admin");
    expect(admin).toMatchObject({ accountType: "human", roles: ["admin"], disabled: false });
    expect(admin?.id).toBeString();
    const created = admin?.createdAt ? timestampMs(admin.createdAt) : 0;
    expect(Math.abs(Date.now() - created)).toBeLessThan(3600_000);
    const text = toJsonString(ListAccountsResponseSchema, answer);
    expect(text).not.toContain(registry.adminPassword);
    expect(text).not.toContain("$argon2");
  });
});

describe("CreateAccount", () => {
  test("creates a person who can then log in; repeated roles are kept once", async () => {
    const password = "carol-password-1";
    const { account } = await accounts.createAccount({
      username: "carol",
      accountType: "human",
      roles: ["dev", "dev"],
      password,
    });
    expect(account).toMatchObject({ username: "carol", accountType: "human", roles: ["dev"] });
    expect(account?.disabled).toBe(false);
    expect(await loginCode("carol", password)).toBe("OK");
    expect((await listed("carol"))?.id).toBe(account?.id ?? "missing");
  });

  test("creates a system account without a password", async () => {
    const { account } = await accounts.createAccount({
      username: "builder",
      accountType: "system",
    });
    expect(account).toMatchObject({ username: "builder", accountType: "system", roles: [] });
  });

  test("a username that is taken is AlreadyExists", async () => {
    await accounts.createAccount({ username: "twice", accountType: "system" });
    const again = accounts.createAccount({ username: "twice", accountType: "system" });
    expect(await expectRpcError(again, Code.AlreadyExists)).toContain("twice");
    const admin = { username: "admin", accountType: "human", password: "another-long-one" };
    await expectRpcError(accounts.createAccount(admin), Code.AlreadyExists);
  });

  test("a bad username, account type or password is InvalidArgument naming it", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ username: "", accountType: "system" }, "username"],
      [{ username: "has space", accountType: "system" }, "username"],
      [{ username: "x".repeat(65), accountType: "system" }, "username"],
      [{ username: "typeless", accountType: "robot" }, "account_type"],
      [{ username: "typeless", accountType: "" }, "account_type"],
      [{ username: "shorty", accountType: "human" }, "password"],
      [{ username: "shorty", accountType: "human", password: "eleven-char" }, "password"],
    ];
    for (const [request, mentioned] of cases) {
      const message = await expectRpcError(accounts.createAccount(request), Code.InvalidArgument);
      expect(message).toContain(mentioned);
    }
    expect(await listed("typeless")).toBeUndefined();
    expect(await listed("shorty")).toBeUndefined();
  });
});

describe("DisableAccount and EnableAccount", () => {
  test("a disabled person cannot log in and their session stops, until enabled", async () => {
    const password = "dave-password-1";
    await accounts.createAccount({ username: "dave", accountType: "human", password });
    const { token } = await rpc(AuthService).login({ username: "dave", password });
    expect(await callerCode(bearer(token))).toBe("PermissionDenied");

    await accounts.disableAccount({ username: "dave" });
    expect((await listed("dave"))?.disabled).toBe(true);
    expect(await loginCode("dave", password)).toBe("Unauthenticated");
    expect(await callerCode(bearer(token))).toBe("Unauthenticated");

    await accounts.enableAccount({ username: "dave" });
    expect((await listed("dave"))?.disabled).toBe(false);
    expect(await loginCode("dave", password)).toBe("OK");
    // The session revoked by the disabling stays revoked.
    expect(await callerCode(bearer(token))).toBe("Unauthenticated");
  });

  test("an unknown account is NotFound", async () => {
    const disable = accounts.disableAccount({ username: "nobody" });
    expect(await expectRpcError(disable, Code.NotFound)).toContain("nobody");
    await expectRpcError(accounts.enableAccount({ username: "nobody" }), Code.NotFound);
  });
});

describe("SetPassword", () => {
  test("the new password works at once and the old one stops at once", async () => {
    const old = "erin-old-password";
    const next = "erin-new-password";
    await accounts.createAccount({ username: "erin", accountType: "human", password: old });
    expect(await loginCode("erin", old)).toBe("OK");
    await accounts.setPassword({ username: "erin", password: next });
    expect(await loginCode("erin", old)).toBe("Unauthenticated");
    expect(await loginCode("erin", next)).toBe("OK");
  });

  test("an empty or short password is InvalidArgument; an unknown account NotFound", async () => {
    const password = "frank-password-1";
    await accounts.createAccount({ username: "frank", accountType: "human", password });
    for (const bad of ["", "too-short"]) {
      const call = accounts.setPassword({ username: "frank", password: bad });
      expect(await expectRpcError(call, Code.InvalidArgument)).toContain("password");
    }
    expect(await loginCode("frank", password)).toBe("OK");
    const unknown = accounts.setPassword({ username: "nobody", password: "long-enough-password" });
    expect(await expectRpcError(unknown, Code.NotFound)).toContain("nobody");
  });
});

describe("ListTokens, CreateToken and RevokeToken", () => {
  beforeAll(async () => {
    await accounts.createAccount({ username: "ci-robot", accountType: "system" });
  });

  test("a token's secret is shown once and signs the account in", async () => {
    const before = Date.now();
    const issued = await accounts.createToken({
      username: "ci-robot",
      description: "pipeline",
      ttl: "90d",
    });
    expect(issued.token.length).toBeGreaterThan(20);
    const expiresAt = issued.expiresAt ? timestampMs(issued.expiresAt) : 0;
    expect(Math.abs(expiresAt - before - 90 * 86400_000)).toBeLessThan(60_000);
    const v2 = await fetch(`${registry.url}/v2/`, {
      headers: { Authorization: basic("ci-robot", issued.token) },
    });
    expect(v2.status).toBe(200);
    // Signed in, but not an admin.
    expect(await callerCode(bearer(issued.token))).toBe("PermissionDenied");

    const answer = await accounts.listTokens({ username: "ci-robot" });
    expect(toJsonString(ListTokensResponseSchema, answer)).not.toContain(issued.token);
    const token = answer.tokens.find((entry) => entry.id === issued.id);
    expect(token).toMatchObject({ kind: "api", description: "pipeline", revoked: false });
    expect(token?.expiresAt).toEqual(issued.expiresAt);
  });

  test("without a ttl a token never expires; an admin's token works as a bearer token", async () => {
    const issued = await accounts.createToken({ username: "admin", description: "automation" });
    expect(issued.expiresAt).toBeUndefined();
    expect(await callerCode(bearer(issued.token))).toBe("OK");
  });

  test("a revoked token stops at once; revoking it again is NotFound", async () => {
    const issued = await accounts.createToken({ username: "ci-robot", description: "brief" });
    await accounts.revokeToken({ username: "ci-robot", id: issued.id });
    expect(await callerCode(bearer(issued.token))).toBe("Unauthenticated");
    const { tokens } = await accounts.listTokens({ username: "ci-robot" });
    expect(tokens.find((token) => token.id === issued.id)?.revoked).toBe(true);
    const again = accounts.revokeToken({ username: "ci-robot", id: issued.id });
    expect(await expectRpcError(again, Code.NotFound)).toContain(issued.id);
  });

  test("a token is revoked only through the account that owns it", async () => {
    await accounts.createAccount({ username: "other-robot", accountType: "system" });
    const issued = await accounts.createToken({ username: "ci-robot", description: "owned" });
    const call = accounts.revokeToken({ username: "other-robot", id: issued.id });
    await expectRpcError(call, Code.NotFound);
    expect(await callerCode(bearer(issued.token))).toBe("PermissionDenied");
  });

  test("a bad ttl is InvalidArgument and issues nothing", async () => {
    const before = (await accounts.listTokens({ username: "ci-robot" })).tokens.length;
    for (const ttl of ["soon", "-1d", "0s", "5 years"]) {
      const call = accounts.createToken({ username: "ci-robot", description: "bad", ttl });
      expect(await expectRpcError(call, Code.InvalidArgument)).toContain("ttl");
    }
    expect((await accounts.listTokens({ username: "ci-robot" })).tokens.length).toBe(before);
  });

  test("the tokens of an unknown account are NotFound", async () => {
    await expectRpcError(accounts.listTokens({ username: "nobody" }), Code.NotFound);
    await expectRpcError(accounts.createToken({ username: "nobody" }), Code.NotFound);
    const revoke = accounts.revokeToken({ username: "nobody", id: "some-id" });
    await expectRpcError(revoke, Code.NotFound);
  });
});

describe("who may call", () => {
  let victimToken: { id: string; token: string };
  /** Requests an admin could make, aimed at a live account and token. */
  const requests = (): ValidRequests => ({
    listAccounts: {},
    createAccount: { username: "intruder", accountType: "system" },
    disableAccount: { username: "victim" },
    enableAccount: { username: "victim" },
    setPassword: { username: "admin", password: "taken-over-password" },
    listTokens: { username: "victim" },
    createToken: { username: "victim", description: "stolen" },
    revokeToken: { username: "victim", id: victimToken.id },
  });

  beforeAll(async () => {
    victimToken = await accountWithToken(rpc, registry.admin, { username: "victim" });
  });

  /** Nothing the refused calls asked for happened. */
  async function expectNothingChanged() {
    expect(await listed("intruder")).toBeUndefined();
    expect((await listed("victim"))?.disabled).toBe(false);
    expect(await loginCode("admin", registry.adminPassword)).toBe("OK");
    expect(await callerCode(bearer(victimToken.token))).toBe("PermissionDenied");
  }

  test("without credentials, or with bad ones, every method is Unauthenticated", async () => {
    const none = await expectRpcError(rpc(AccountService).listAccounts({}), Code.Unauthenticated);
    expect(none).toContain("authentication required");
    for (const authorization of [
      undefined,
      bearer("not-a-token"),
      basic("admin", "wrong-password"),
      "Digest something",
    ]) {
      await expectEveryMethodRefused(
        rpc,
        AccountService,
        requests(),
        authorization,
        Code.Unauthenticated,
      );
    }
    await expectNothingChanged();
  });

  test("accounts without the admin role are PermissionDenied for every method", async () => {
    // A system account made and given its token through AccountService itself, and a person.
    const robot = await accountWithToken(rpc, registry.admin, { username: "plain-robot" });
    const password = "plain-person-password";
    await accounts.createAccount({ username: "plain-person", accountType: "human", password });
    for (const authorization of [robot.authorization, basic("plain-person", password)]) {
      await expectEveryMethodRefused(
        rpc,
        AccountService,
        requests(),
        authorization,
        Code.PermissionDenied,
      );
    }
    const message = await expectRpcError(
      rpc(AccountService, robot.authorization).listAccounts({}),
      Code.PermissionDenied,
    );
    expect(message).toContain("plain-robot is not an admin");
    await expectNothingChanged();
  });
});

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { AccountService } from "../../src/gen/mcr/v1/accounts_pb.ts";
import { AuthService } from "../../src/gen/mcr/v1/auth_pb.ts";
import { type AuthRegistry, basic, bearer, startAuthRegistry } from "../helpers/auth.ts";
import { callApi, expectApiError } from "../helpers/rest-client.ts";
import {
  accountWithToken,
  connectRpc,
  expectRpcError,
  outcomeOf,
  type RpcConnector,
} from "../helpers/rpc-client.ts";
import { startTestRegistry } from "../helpers/test-registry.ts";

/** mcr.v1.AuthService over native gRPC: admin sessions opened by Login, ended by Logout. */
let registry: AuthRegistry;
let rpc: RpcConnector;
const alicePassword = "alice-password-1";
beforeAll(async () => {
  registry = await startAuthRegistry();
  rpc = connectRpc(registry);
  await rpc(AccountService, registry.admin).createAccount({
    username: "alice",
    accountType: "human",
    password: alicePassword,
  });
});
afterAll(() => registry.destroy());

function login(username: string, password: string, authorization?: string) {
  return rpc(AuthService, authorization).login({ username, password });
}

async function adminSession(): Promise<string> {
  return (await login("admin", registry.adminPassword)).token;
}

/** How ListAccounts answers this Authorization value: "OK" or a code's name. */
async function listAccountsCode(authorization: string): Promise<string> {
  return (await outcomeOf(rpc(AccountService, authorization).listAccounts({}))).code;
}

describe("Login", () => {
  test("returns a session token, its expiry, the username and the roles", async () => {
    const before = Date.now();
    const answer = await login("admin", registry.adminPassword);
    expect(answer).toMatchObject({ username: "admin", roles: ["admin"] });
    expect(answer.token.length).toBeGreaterThan(20);
    // The default session lifetime is 12 hours.
    const lifetime = (answer.expiresAt ? timestampMs(answer.expiresAt) : 0) - before;
    expect(Math.abs(lifetime - 12 * 3600_000)).toBeLessThan(60_000);
    expect(await listAccountsCode(bearer(answer.token))).toBe("OK");
  });

  test("is audited as a session token issued to the user", async () => {
    await login("alice", alicePassword);
    const { events } = await registry.running.audit.query({ eventType: "token_issued" });
    expect(events[0]).toMatchObject({ actor: "alice", details: { kind: "session" } });
  });

  test("a wrong password, an unknown user or a disabled account is Unauthenticated", async () => {
    const accounts = rpc(AccountService, registry.admin);
    const password = "bob-password-12";
    await accounts.createAccount({ username: "bob", accountType: "human", password });
    await accounts.disableAccount({ username: "bob" });
    for (const [username, secret] of [
      ["admin", "not-the-password"],
      ["nobody", "not-the-password"],
      ["bob", password],
    ] as const) {
      // The same words for each, so that a caller learns nothing about which accounts exist.
      const message = await expectRpcError(login(username, secret), Code.Unauthenticated);
      expect(message).toBe("invalid username or password");
    }
  });

  test("an empty username or password is InvalidArgument naming both", async () => {
    for (const [username, password] of [
      ["", registry.adminPassword],
      ["admin", ""],
      ["", ""],
    ] as const) {
      const message = await expectRpcError(login(username, password), Code.InvalidArgument);
      expect(message).toContain("username and password");
    }
  });

  test("needs no credentials: a bad Authorization header does not stop it", async () => {
    for (const authorization of [bearer("not-a-token"), basic("admin", "wrong"), "Digest x"]) {
      const answer = await login("alice", alicePassword, authorization);
      expect(answer).toMatchObject({ username: "alice", roles: [] });
    }
  });

  test("a person without the admin role gets a session the admin services refuse", async () => {
    const { token } = await login("alice", alicePassword);
    expect(await listAccountsCode(bearer(token))).toBe("PermissionDenied");
  });
});

describe("Logout", () => {
  test("revokes the session: the next call with it is Unauthenticated on RPC and REST", async () => {
    const token = await adminSession();
    const authorization = bearer(token);
    expect(await listAccountsCode(authorization)).toBe("OK");
    await rpc(AuthService, authorization).logout({});

    const refused = rpc(AccountService, authorization).listAccounts({});
    expect(await expectRpcError(refused, Code.Unauthenticated)).toContain("invalid or has expired");
    expectApiError(await callApi(registry.url, "GET", "/v1/accounts", { authorization }), 401);
    const again = rpc(AuthService, authorization).logout({});
    expect(await expectRpcError(again, Code.Unauthenticated)).toContain("not a live session");
  });

  test("ends only the session it is called with", async () => {
    const ended = await adminSession();
    const kept = await adminSession();
    await rpc(AuthService, bearer(ended)).logout({});
    expect(await listAccountsCode(bearer(ended))).toBe("Unauthenticated");
    expect(await listAccountsCode(bearer(kept))).toBe("OK");
  });

  test("a person without the admin role can log out too", async () => {
    const { token } = await login("alice", alicePassword);
    await rpc(AuthService, bearer(token)).logout({});
    expect(await listAccountsCode(bearer(token))).toBe("Unauthenticated");
  });

  test("without a session token it is Unauthenticated and revokes nothing", async () => {
    const robot = await accountWithToken(rpc, registry.admin, { username: "logout-robot" });
    const adminToken = await rpc(AccountService, registry.admin).createToken({
      username: "admin",
    });
    for (const authorization of [
      undefined,
      registry.admin,
      basic("admin", "wrong-password"),
      bearer("not-a-token"),
      // API tokens are not sessions, even valid ones.
      robot.authorization,
      bearer(adminToken.token),
    ]) {
      const message = await expectRpcError(
        rpc(AuthService, authorization).logout({}),
        Code.Unauthenticated,
      );
      expect(message).toMatch(/session/);
    }
    expect(await listAccountsCode(robot.authorization)).toBe("PermissionDenied");
    expect(await listAccountsCode(bearer(adminToken.token))).toBe("OK");
  });
});

test("an open registry has no sessions: Login is NotFound, Logout Unauthenticated", async () => {
  const open = await startTestRegistry();
  try {
    const auth = connectRpc(open)(AuthService);
    const message = await expectRpcError(
      auth.login({ username: "admin", password: "any-password" }),
      Code.NotFound,
    );
    expect(message).toContain("auth provider none");
    await expectRpcError(auth.logout({}), Code.Unauthenticated);
  } finally {
    await open.destroy();
  }
});

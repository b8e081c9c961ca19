import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code } from "@connectrpc/connect";
import { AccountService } from "../../src/gen/mcr/v1/accounts_pb.ts";
import { type AuthRegistry, basic, startAuthRegistry } from "../helpers/auth.ts";
import { callApi, expectApiError, expectStatus, type TokenJson } from "../helpers/rest-client.ts";
import { connectRpc, expectRpcError, type RpcConnector } from "../helpers/rpc-client.ts";

/**
 * Account changes the break test found harmful, refused alike on REST and RPC: an API token
 * whose expiry no timestamp can hold, and disabling the last admin who can sign in.
 */
let registry: AuthRegistry;
let rpc: RpcConnector;
beforeAll(async () => {
  registry = await startAuthRegistry();
  rpc = connectRpc(registry);
});
afterAll(() => registry.destroy());

function rest<T>(method: string, path: string, json?: unknown, authorization = registry.admin) {
  return callApi<T>(registry.url, method, path, { authorization, json });
}

describe("API token lifetimes", () => {
  test("a ttl beyond ten years is refused on both transports; tokens stay listable", async () => {
    const tooLong = expectApiError(
      await rest("POST", "/v1/accounts/admin/tokens", { description: "x", ttl: "99999999d" }),
      400,
    );
    expect(tooLong).toBe("ttl must be at most 3650d (10 years); leave it out for no expiry");
    const accounts = rpc(AccountService, registry.admin);
    const viaRpc = await expectRpcError(
      accounts.createToken({ username: "admin", description: "x", ttl: "3651d" }),
      Code.InvalidArgument,
    );
    expect(viaRpc).toBe(tooLong);

    expectStatus(
      await rest("POST", "/v1/accounts/admin/tokens", { description: "ten years", ttl: "3650d" }),
      201,
    );
    const listed = await rest<{ tokens: TokenJson[] }>("GET", "/v1/accounts/admin/tokens");
    expectStatus(listed, 200);
    expect(listed.body.tokens.map((token) => token.description)).toEqual(["ten years"]);
    const { tokens } = await accounts.listTokens({ username: "admin" });
    expect(tokens.map((token) => token.description)).toEqual(["ten years"]);
  });
});

describe("the last admin", () => {
  test("cannot be disabled over REST or RPC, and stays able to sign in", async () => {
    const refused = expectApiError(await rest("POST", "/v1/accounts/admin/disable"), 409);
    expect(refused).toBe("admin is the last enabled admin; enable or create another admin first");
    const viaRpc = await expectRpcError(
      rpc(AccountService, registry.admin).disableAccount({ username: "admin" }),
      Code.FailedPrecondition,
    );
    expect(viaRpc).toBe(refused);
    expectStatus(await rest("GET", "/v1/accounts"), 200);
  });

  test("can be disabled once another admin who can sign in exists", async () => {
    // Neither a system account nor a disabled person counts as someone who can sign in.
    const password = "ops password long enough";
    for (const json of [
      { username: "robot-admin", account_type: "system", roles: ["admin"] },
      { username: "old-admin", account_type: "human", roles: ["admin"], password },
      { username: "ops", account_type: "human", roles: ["admin"], password },
    ]) {
      expectStatus(await rest("POST", "/v1/accounts", json), 201);
    }
    expectStatus(await rest("POST", "/v1/accounts/old-admin/disable"), 204);
    expectStatus(await rest("POST", "/v1/accounts/admin/disable"), 204);

    const ops = basic("ops", password);
    expectApiError(await rest("POST", "/v1/accounts/ops/disable", undefined, ops), 409);
    await expectRpcError(
      rpc(AccountService, ops).disableAccount({ username: "ops" }),
      Code.FailedPrecondition,
    );
    // Enabling another admin makes room again.
    expectStatus(await rest("POST", "/v1/accounts/admin/enable", undefined, ops), 204);
    expectStatus(await rest("POST", "/v1/accounts/ops/disable", undefined, ops), 204);
  });
});

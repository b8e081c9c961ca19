import { afterAll, beforeAll, expect, test } from "bun:test";
import { Code } from "@connectrpc/connect";
import { AccountService } from "../../src/gen/mcr/v1/accounts_pb.ts";
import { AuthService } from "../../src/gen/mcr/v1/auth_pb.ts";
import { createLogger } from "../../src/log/logger.ts";
import { bearer, readAdminPassword } from "../helpers/auth.ts";
import { connectRpc, expectRpcError, type RpcConnector } from "../helpers/rpc-client.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

const lines: string[] = [];
let registry: TestRegistry;
let rpc: RpcConnector;
beforeAll(async () => {
  registry = await startTestRegistry({
    env: { MCR_AUTH_PROVIDER: "local" },
    log: createLogger({ level: "info", format: "json", write: (line) => lines.push(line) }),
  });
  rpc = connectRpc(registry);
});
afterAll(() => registry.destroy());

/** The "rpc" lines logged since `from`, parsed. */
function rpcLines(from: number): Record<string, unknown>[] {
  return lines
    .slice(from)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record.msg === "rpc");
}

test("each call is one line with method, peer, code and duration; never a secret", async () => {
  const from = lines.length;
  const password = readAdminPassword(registry.dataDir);
  const { token } = await rpc(AuthService).login({ username: "admin", password });
  await rpc(AccountService, bearer(token)).listAccounts({});
  await expectRpcError(
    rpc(AccountService, bearer("not-a-real-token")).listAccounts({}),
    Code.Unauthenticated,
  );
  await expectRpcError(
    rpc(AuthService).login({ username: "admin", password: "wrong password" }),
    Code.Unauthenticated,
  );

  const logged = rpcLines(from);
  expect(logged.map((record) => [record.method, record.code])).toEqual([
    ["mcr.v1.AuthService/Login", "ok"],
    ["mcr.v1.AccountService/ListAccounts", "ok"],
    ["mcr.v1.AccountService/ListAccounts", "unauthenticated"],
    ["mcr.v1.AuthService/Login", "unauthenticated"],
  ]);
  for (const record of logged) {
    expect(record.peer).toBe("127.0.0.1");
    expect(typeof record.ms).toBe("number");
  }
  const everything = lines.slice(from).join("\n");
  for (const secret of [token, password, "not-a-real-token", "wrong password", "Bearer"]) {
    expect(everything).not.toContain(secret);
  }
});

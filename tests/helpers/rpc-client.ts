/** Helpers for the admin RPC tests: native gRPC clients of a test registry, and their refusals. */
import { expect } from "bun:test";
import type { DescService } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AccountService } from "../../src/gen/mcr/v1/accounts_pb.ts";
import { bearer } from "./auth.ts";
import type { TestRegistry } from "./test-registry.ts";

/** The base URL of a registry's admin RPC listener. */
export function rpcUrl(registry: TestRegistry): string {
  const port = registry.running.rpc?.port;
  if (!port) throw new Error("the registry has no RPC listener");
  return `http://127.0.0.1:${port}`;
}

/** A gRPC client of `service` that sends `authorization` (or no Authorization header). */
export type RpcConnector = <S extends DescService>(service: S, authorization?: string) => Client<S>;

/**
 * Clients of a registry's RPC listener over native gRPC (HTTP/2 cleartext). One transport,
 * and so one HTTP/2 connection, per Authorization value.
 *
 * @example const accounts = connectRpc(registry)(AccountService, registry.admin)
 */
export function connectRpc(registry: TestRegistry): RpcConnector {
  const baseUrl = rpcUrl(registry);
  const transports = new Map<string, Transport>();
  return (service, authorization = "") => {
    let transport = transports.get(authorization);
    if (!transport) {
      transport = createGrpcTransport({
        baseUrl,
        interceptors: authorization
          ? [
              (next) => (request) => {
                request.header.set("authorization", authorization);
                return next(request);
              },
            ]
          : [],
      });
      transports.set(authorization, transport);
    }
    return createClient(service, transport);
  };
}

/** How a call ended: "OK" or the name of its Connect code, and the server's message. */
export interface RpcOutcome {
  code: string;
  message: string;
}

export async function outcomeOf(call: Promise<unknown>): Promise<RpcOutcome> {
  try {
    await call;
    return { code: "OK", message: "" };
  } catch (error) {
    const connectError = ConnectError.from(error);
    return { code: Code[connectError.code], message: connectError.rawMessage };
  }
}

/** Asserts that a call is refused with `code` and a message; returns the message. */
export async function expectRpcError(call: Promise<unknown>, code: Code): Promise<string> {
  const outcome = await outcomeOf(call);
  // Compared with the message alongside, so that a wrong code shows what the server said.
  expect(outcome).toMatchObject({ code: Code[code] });
  expect(outcome.message.length).toBeGreaterThan(0);
  return outcome.message;
}

/** For each method of a service (by its local name), a request that would be valid. */
export type ValidRequests = Record<string, object>;

/**
 * Asserts that every method of `service` but the `skip`ped ones refuses `authorization` with
 * `code`. Each is sent a request that would otherwise succeed, so that only the caller is
 * refused; a method without one in `requests` fails the test, so none is forgotten.
 */
export async function expectEveryMethodRefused(
  rpc: RpcConnector,
  service: DescService,
  requests: ValidRequests,
  authorization: string | undefined,
  code: Code,
  skip: string[] = [],
): Promise<void> {
  const client = rpc(service, authorization) as unknown as Record<
    string,
    (request: object) => Promise<unknown>
  >;
  for (const method of service.methods) {
    if (skip.includes(method.name)) continue;
    const request = requests[method.localName];
    const call = client[method.localName];
    if (!request || !call) throw new Error(`no valid request for ${method.name}`);
    const outcome = await outcomeOf(call(request));
    expect({ method: method.name, ...outcome }).toMatchObject({
      method: method.name,
      code: Code[code],
    });
    expect(outcome.message.length).toBeGreaterThan(0);
  }
}

/**
 * Creates an account with AccountService and issues it an API token, both as `admin`.
 * Returns the account's id and the token as a Bearer `Authorization` value.
 */
export async function accountWithToken(
  rpc: RpcConnector,
  admin: string,
  account: { username: string; accountType?: string; roles?: string[]; password?: string },
): Promise<{ id: string; token: string; authorization: string }> {
  const accounts = rpc(AccountService, admin);
  const created = await accounts.createAccount({ accountType: "system", ...account });
  const issued = await accounts.createToken({
    username: account.username,
    description: "test token",
  });
  return {
    id: created.account?.id ?? "",
    token: issued.token,
    authorization: bearer(issued.token),
  };
}

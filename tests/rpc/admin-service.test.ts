import { afterAll, beforeAll, expect, test } from "bun:test";
import { createClient } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import packageJson from "../../package.json" with { type: "json" };
import { AdminService } from "../../src/gen/mcr/v1/admin_pb.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

let registry: TestRegistry;
let baseUrl: string;
beforeAll(async () => {
  registry = await startTestRegistry();
  baseUrl = `http://127.0.0.1:${registry.running.rpc?.port}`;
});
afterAll(() => registry.destroy());

test("Health answers over native gRPC (HTTP/2 cleartext)", async () => {
  const client = createClient(AdminService, createGrpcTransport({ baseUrl }));
  const answer = await client.health({});
  expect(answer.status).toBe("ok");
  expect(answer.version).toBe(packageJson.version);
});

test("Health answers over gRPC-Web and Connect on HTTP/1.1", async () => {
  for (const transport of [
    createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
    createConnectTransport({ baseUrl, httpVersion: "1.1" }),
    createConnectTransport({ baseUrl, httpVersion: "2" }),
  ]) {
    const answer = await createClient(AdminService, transport).health({});
    expect(answer.status).toBe("ok");
  }
});

test("curl can call it with Connect JSON", async () => {
  // Asynchronously: the server runs in this process and must keep answering meanwhile.
  const curl = Bun.spawn(
    [
      "curl",
      "-s",
      "--max-time",
      "5",
      "-H",
      "Content-Type: application/json",
      "-d",
      "{}",
      `${baseUrl}/mcr.v1.AdminService/Health`,
    ],
    { stdout: "pipe" },
  );
  const output = await new Response(curl.stdout).text();
  expect(JSON.parse(output)).toEqual({ status: "ok", version: packageJson.version });
});

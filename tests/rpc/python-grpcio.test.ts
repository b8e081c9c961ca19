import { afterAll, beforeAll, expect, test } from "bun:test";
import packageJson from "../../package.json" with { type: "json" };
import { runCommand } from "../helpers/run-command.ts";
import { startTestRegistry, type TestRegistry } from "../helpers/test-registry.ts";

/**
 * Debian's python3-grpcio as a client that shares no code with ours: a generic unary call
 * with raw bytes, the response decoded from the protobuf wire format by hand.
 */
const CLIENT = `
import grpc, json, sys
channel = grpc.insecure_channel(sys.argv[1])
health = channel.unary_unary("/mcr.v1.AdminService/Health",
    request_serializer=lambda message: message, response_deserializer=lambda data: data)
data = health(b"", timeout=10)
fields, i = {}, 0
while i < len(data):
    key = data[i]; i += 1
    length = data[i]; i += 1
    fields[key >> 3] = data[i:i + length].decode(); i += length
print(json.dumps({"status": fields.get(1), "version": fields.get(2)}))
`;

let registry: TestRegistry;
beforeAll(async () => {
  registry = await startTestRegistry();
});
afterAll(() => registry.destroy());

test("python3-grpcio calls Health over native gRPC", async () => {
  const python = "/usr/bin/python3";
  if (!(await Bun.file(python).exists())) throw new Error("Debian's python3 is missing");
  const { stdout, stderr, code } = await runCommand([
    python,
    "-c",
    CLIENT,
    `127.0.0.1:${registry.running.rpc?.port}`,
  ]);
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toEqual({ status: "ok", version: packageJson.version });
}, 20_000);

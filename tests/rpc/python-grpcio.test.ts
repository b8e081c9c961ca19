import { afterAll, beforeAll, expect, test } from "bun:test";
import packageJson from "../../package.json" with { type: "json" };
import { type AuthRegistry, startAuthRegistry } from "../helpers/auth.ts";
import { runCommand } from "../helpers/run-command.ts";

/**
 * Debian's python3-grpcio as a client that shares no code with ours: generic unary calls
 * with raw bytes, requests and responses in the protobuf wire format written and read here by
 * hand. It logs in, lists the accounts with the session token as metadata, and is refused
 * without one.
 */
const CLIENT = `
import grpc, json, sys

def varint(number):
    out = b""
    while True:
        byte = number & 0x7F
        number >>= 7
        if number:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])

def read_varint(data, i):
    shift = result = 0
    while True:
        byte = data[i]; i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, i

def text_field(number, value):
    encoded = value.encode()
    return varint(number << 3 | 2) + varint(len(encoded)) + encoded

def fields(data):
    """Field number -> list of values: ints for varints, bytes for length-delimited."""
    found, i = {}, 0
    while i < len(data):
        key, i = read_varint(data, i)
        if key & 7 == 0:
            value, i = read_varint(data, i)
        elif key & 7 == 2:
            length, i = read_varint(data, i)
            value, i = data[i:i + length], i + length
        else:
            raise ValueError("unexpected wire type %d" % (key & 7))
        found.setdefault(key >> 3, []).append(value)
    return found

channel = grpc.insecure_channel(sys.argv[1])
def method(path):
    return channel.unary_unary(path, request_serializer=lambda m: m, response_deserializer=lambda d: d)

health = fields(method("/mcr.v1.AdminService/Health")(b"", timeout=10))
login = fields(method("/mcr.v1.AuthService/Login")(
    text_field(1, "admin") + text_field(2, sys.argv[2]), timeout=10))
token = login[1][0].decode()
metadata = [("authorization", "Bearer " + token)]
accounts = fields(method("/mcr.v1.AccountService/ListAccounts")(b"", metadata=metadata, timeout=10))
usernames = [fields(account)[2][0].decode() for account in accounts.get(1, [])]
try:
    method("/mcr.v1.AccountService/ListAccounts")(b"", timeout=10)
    refused = None
except grpc.RpcError as error:
    refused = error.code().name
print(json.dumps({
    "health": {"status": health[1][0].decode(), "version": health[2][0].decode()},
    "login": {"username": login[3][0].decode(), "roles": [r.decode() for r in login.get(4, [])]},
    "usernames": usernames,
    "without_token": refused,
}))
`;

let registry: AuthRegistry;
beforeAll(async () => {
  registry = await startAuthRegistry();
});
afterAll(() => registry.destroy());

test("python3-grpcio calls Health, logs in and lists accounts over native gRPC", async () => {
  const python = "/usr/bin/python3";
  if (!(await Bun.file(python).exists())) throw new Error("Debian's python3 is missing");
  const { stdout, stderr, code } = await runCommand([
    python,
    "-c",
    CLIENT,
    `127.0.0.1:${registry.running.rpc?.port}`,
    registry.adminPassword,
  ]);
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toEqual({
    health: { status: "ok", version: packageJson.version },
    login: { username: "admin", roles: ["admin"] },
    usernames: ["admin"],
    without_token: "UNAUTHENTICATED",
  });
}, 20_000);

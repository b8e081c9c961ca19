import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server as TlsServer } from "node:tls";
import { IdentityUnavailableError } from "../../../src/auth/identity-provider.ts";
import { ALICE, providerFor, type Standin, startStandin } from "./mcias-standin.ts";

/**
 * MCIAS over HTTPS with a private CA: a self-signed certificate made with openssl for each
 * run. Without the CA the provider must refuse the server; below TLS 1.3 too.
 */
let folder: string;
let certPath: string;
let cert: string;
let key: string;
let standin: Standin;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "mcr-mcias-tls-"));
  ({ cert, key, certPath } = selfSigned(folder, "good", "IP:127.0.0.1,DNS:localhost"));
  standin = startStandin({ tls: { cert, key } });
});
afterAll(() => {
  standin.stop();
  rmSync(folder, { recursive: true, force: true });
});

/** Makes a self-signed EC certificate for `altNames` in `folder`. */
function selfSigned(folder: string, name: string, altNames: string) {
  const keyPath = join(folder, `${name}.key`);
  const certPath = join(folder, `${name}.pem`);
  const result = Bun.spawnSync(
    ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
      .concat(["-nodes", "-keyout", keyPath, "-out", certPath, "-days", "1"])
      .concat(["-subj", `/CN=${name}`, "-addext", `subjectAltName=${altNames}`]),
    { stdout: "ignore", stderr: "pipe" },
  );
  if (result.exitCode !== 0) throw new Error(`openssl failed: ${result.stderr.toString()}`);
  return { certPath, cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8") };
}

async function expectUnavailable(promise: Promise<unknown>, reason: RegExp) {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(IdentityUnavailableError);
  expect((error as Error).message).toMatch(reason);
}

test("with the CA, logins and tokens work over HTTPS", async () => {
  const { provider } = providerFor(standin.url, { caCert: certPath });

  const login = await provider.login(ALICE.username, ALICE.password);

  expect(login?.identity).toMatchObject({ id: ALICE.id });
  expect(await provider.verifyForeignToken(login?.token ?? "")).toMatchObject({ id: ALICE.id });
});

test("without the CA, the certificate is refused and the service is unavailable", async () => {
  const { provider, lines } = providerFor(standin.url);

  await expectUnavailable(provider.verifyPassword(ALICE.username, ALICE.password), /self.signed/i);
  expect(lines.join("\n")).not.toContain(ALICE.password);
});

test("a certificate for another host name is refused, even from the trusted CA", async () => {
  const other = selfSigned(folder, "other", "DNS:elsewhere.invalid");
  const impostor = startStandin({ tls: { cert: other.cert, key: other.key } });
  try {
    const { provider } = providerFor(impostor.url, { caCert: other.certPath });
    await expectUnavailable(
      provider.verifyPassword(ALICE.username, ALICE.password),
      /ERR_TLS_CERT_ALTNAME_INVALID/,
    );
    expect(impostor.calls["/v1/auth/login"]).toBeUndefined();
  } finally {
    impostor.stop();
  }
});

test("a missing CA file stops the provider from starting", () => {
  expect(() => providerFor(standin.url, { caCert: join(folder, "missing.pem") })).toThrow();
});

describe("TLS 1.3 at least", () => {
  let legacy: TlsServer;
  let legacyUrl: string;
  beforeAll(async () => {
    // node:tls, because Bun.serve cannot cap its TLS version: this server stops at TLS 1.2.
    legacy = createServer({ cert, key, maxVersion: "TLSv1.2" }, (socket) => {
      socket.on("error", () => {});
      socket.once("data", () => {
        socket.end("HTTP/1.1 401 Unauthorized\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}");
      });
    });
    await new Promise<void>((resolve) => legacy.listen(0, "127.0.0.1", resolve));
    legacyUrl = `https://127.0.0.1:${(legacy.address() as AddressInfo).port}`;
  });
  afterAll(() => legacy.close());

  test("a server that offers TLS 1.2 at most is refused", async () => {
    const { provider } = providerFor(legacyUrl, { caCert: certPath });

    await expectUnavailable(provider.verifyPassword(ALICE.username, "x"), /handshake|EPROTO/i);
  });

  test("the same server is reachable without the restriction (the test is sound)", async () => {
    const response = await fetch(legacyUrl, { tls: { ca: cert } });
    expect(response.status).toBe(401);
  });
});

test("a CA file that holds no PEM certificate stops the provider from starting", () => {
  const path = join(folder, "garbage.pem");
  writeFileSync(path, "not a certificate");

  expect(() => providerFor(standin.url, { caCert: path })).toThrow(/no PEM certificate/);
});

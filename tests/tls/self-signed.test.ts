import { expect, test } from "bun:test";
import { X509Certificate } from "node:crypto";
import { createSelfSignedCertificate } from "../../src/tls/self-signed.ts";

test("the certificate names every host, signs itself and is its own CA", () => {
  const { certificatePem } = createSelfSignedCertificate(["registry.test", "127.0.0.1", "::1"]);
  const certificate = new X509Certificate(certificatePem);

  expect(certificate.subject).toBe("CN=registry.test");
  expect(certificate.checkHost("registry.test")).toBe("registry.test");
  expect(certificate.checkIP("127.0.0.1")).toBe("127.0.0.1");
  expect(certificate.subjectAltName).toContain("IP Address:0:0:0:0:0:0:0:1");
  expect(certificate.verify(certificate.publicKey)).toBe(true);
  expect(certificate.ca).toBe(true);
  const lifetime = Date.parse(certificate.validTo) - Date.parse(certificate.validFrom);
  expect(lifetime).toBe(365 * 86400_000);
});

test("a TLS client that trusts the certificate reaches a server using it", async () => {
  const { certificatePem, privateKeyPem } = createSelfSignedCertificate(["localhost"]);
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: certificatePem, key: privateKeyPem },
    fetch: () => new Response("hello"),
  });
  try {
    const trusted = await fetch(`https://localhost:${server.port}/`, {
      tls: { ca: certificatePem },
    });
    expect(await trusted.text()).toBe("hello");
    await expect(fetch(`https://localhost:${server.port}/`)).rejects.toThrow();
  } finally {
    server.stop(true);
  }
});

test("a certificate needs a host", () => {
  expect(() => createSelfSignedCertificate([])).toThrow("at least one host");
});

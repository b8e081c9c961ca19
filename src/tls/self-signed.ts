import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { isIP } from "node:net";
import {
  bitString,
  boolean,
  explicit,
  implicit,
  objectIdentifier,
  octetString,
  sequence,
  set,
  time,
  unsignedInteger,
  utf8String,
} from "./der.ts";

/** A certificate and its private key, both PEM. */
export interface SelfSignedCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
const COMMON_NAME = "2.5.4.3";
const SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
const SUBJECT_ALT_NAME = "2.5.29.17";
const BASIC_CONSTRAINTS = "2.5.29.19";
const AUTHORITY_KEY_IDENTIFIER = "2.5.29.35";

/**
 * Makes a self-signed ECDSA P-256 certificate for `hosts` (DNS names and IP addresses, the
 * first one also its common name), valid from an hour ago for `days` days.
 *
 * Written here rather than by calling openssl so that `mcr init` works on a host, or in a
 * distroless image, that has no openssl. Like `openssl req -x509`, the certificate is its
 * own CA (basicConstraints CA:TRUE), so clients can trust it with a CA-file option.
 */
export function createSelfSignedCertificate(hosts: string[], days = 365): SelfSignedCertificate {
  if (hosts.length === 0) throw new Error("a certificate needs at least one host name");
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const publicKeyInfo = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
  const keyId = keyIdentifier(publicKey.export({ format: "jwk" }));

  const algorithm = sequence(objectIdentifier(ECDSA_WITH_SHA256));
  const name = sequence(set(sequence(objectIdentifier(COMMON_NAME), utf8String(hosts[0] ?? ""))));
  const notBefore = new Date(Date.now() - 3600_000);
  const notAfter = new Date(notBefore.getTime() + days * 86400_000);
  const toBeSigned = sequence(
    explicit(0, unsignedInteger(Uint8Array.of(2))), // version 3
    unsignedInteger(randomBytes(16)),
    algorithm,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKeyInfo,
    explicit(
      3,
      sequence(
        extension(BASIC_CONSTRAINTS, sequence(boolean(true)), true),
        extension(SUBJECT_KEY_IDENTIFIER, octetString(keyId)),
        extension(AUTHORITY_KEY_IDENTIFIER, sequence(implicit(0, keyId))),
        extension(SUBJECT_ALT_NAME, sequence(...hosts.map(generalName))),
      ),
    ),
  );
  const signature = sign("sha256", toBeSigned, { key: privateKey, dsaEncoding: "der" });
  const certificate = sequence(toBeSigned, algorithm, bitString(new Uint8Array(signature)));

  return {
    certificatePem: pem("CERTIFICATE", certificate),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

function extension(oid: string, value: Uint8Array, critical = false): Uint8Array {
  const flag = critical ? [boolean(true)] : [];
  return sequence(objectIdentifier(oid), ...flag, octetString(value));
}

/** A subjectAltName entry: iPAddress [7] for an address, dNSName [2] for anything else. */
function generalName(host: string): Uint8Array {
  const family = isIP(host);
  if (family === 4) return implicit(7, Uint8Array.from(host.split(".").map(Number)));
  if (family === 6) return implicit(7, ipv6Bytes(host));
  return implicit(2, new TextEncoder().encode(host));
}

function ipv6Bytes(address: string): Uint8Array {
  const [head = "", tail] = address.split("::");
  const groups = (part: string | undefined) => (part ? part.split(":") : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = [...groups(head), ...Array<string>(missing).fill("0"), ...groups(tail)];
  const bytes = new Uint8Array(16);
  all.forEach((group, index) => {
    const value = Number.parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
}

/** RFC 5280 section 4.2.1.2, method 1: the SHA-1 of the public key's bits. */
function keyIdentifier(jwk: { x?: string; y?: string }): Uint8Array {
  const point = Buffer.concat([
    Buffer.of(0x04), // an uncompressed point
    Buffer.from(jwk.x ?? "", "base64url"),
    Buffer.from(jwk.y ?? "", "base64url"),
  ]);
  return new Uint8Array(createHash("sha1").update(point).digest());
}

function pem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

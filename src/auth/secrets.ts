import { timingSafeEqual } from "node:crypto";

/** Bytes of randomness in every token MCR issues: 256 bits. */
const SECRET_BYTES = 32;

/**
 * A new bearer secret: `mcr_` and 256 random bits in base64url. The prefix lets secret
 * scanners recognise a leaked MCR token.
 */
export function newSecret(): string {
  return `mcr_${Buffer.from(crypto.getRandomValues(new Uint8Array(SECRET_BYTES))).toString("base64url")}`;
}

/** A random password for a generated account: 144 bits in 24 base64url characters. */
export function newPassword(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64url");
}

/** The form in which a secret is stored and looked up: hex SHA-256. */
export function hashSecret(secret: string): string {
  return new Bun.CryptoHasher("sha256").update(secret).digest("hex");
}

/** Compares two strings in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

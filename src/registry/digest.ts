import { RegistryError } from "./registry-error.ts";

/** Digest algorithms MCR stores content under; sha256 is the one clients use. */
export type DigestAlgorithm = "sha256" | "sha512";

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

/** The general digest grammar of the OCI image spec (descriptor.md, "Digests"). */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * Checks a digest and returns it unchanged. Anything the grammar accepts but MCR cannot
 * verify (an unknown algorithm, the wrong length, upper-case hex) is refused too, since a
 * digest MCR cannot verify must never name stored content.
 *
 * @example parseDigest("sha256:" + "a".repeat(64))
 */
export function parseDigest(text: string): string {
  if (!DIGEST_GRAMMAR.test(text)) {
    throw new RegistryError("digest-invalid", `${quote(text)} is not a digest (algorithm:hex)`);
  }
  const [algorithm = "", encoded = ""] = text.split(":");
  if (algorithm !== "sha256" && algorithm !== "sha512") {
    throw new RegistryError(
      "digest-invalid",
      `digest algorithm ${quote(algorithm)} is not supported; use sha256 or sha512`,
    );
  }
  const length = HEX_LENGTH[algorithm];
  if (encoded.length !== length || !/^[0-9a-f]+$/.test(encoded)) {
    throw new RegistryError(
      "digest-invalid",
      `a ${algorithm} digest must be ${length} lower-case hex digits, got ${quote(encoded)}`,
    );
  }
  return text;
}

/** The algorithm part of a digest that {@link parseDigest} accepted. */
export function digestAlgorithm(digest: string): DigestAlgorithm {
  return digest.startsWith("sha512:") ? "sha512" : "sha256";
}

/** The digest of some bytes, with the given algorithm. */
export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = "sha256"): string {
  return `${algorithm}:${new Bun.CryptoHasher(algorithm).update(bytes).digest("hex")}`;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

import { describe, expect, test } from "bun:test";
import { digestAlgorithm, digestOf, parseDigest } from "../../src/registry/digest.ts";
import { RegistryError } from "../../src/registry/registry-error.ts";

const HEX_256 = "0123456789abcdef".repeat(4);
const HEX_512 = "0123456789abcdef".repeat(8);

/** The error parseDigest throws; fails the test when it accepts the text. */
function refusal(text: string): RegistryError {
  try {
    parseDigest(text);
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    return error as RegistryError;
  }
  throw new Error(`parseDigest accepted ${text}`);
}

describe("parseDigest", () => {
  test("accepts a sha256 digest and returns it unchanged", () => {
    expect(parseDigest(`sha256:${HEX_256}`)).toBe(`sha256:${HEX_256}`);
  });

  test("accepts a sha512 digest", () => {
    expect(parseDigest(`sha512:${HEX_512}`)).toBe(`sha512:${HEX_512}`);
  });

  const REFUSED: Array<[why: string, text: string, says: string]> = [
    ["upper-case hex", `sha256:${HEX_256.toUpperCase()}`, "lower-case hex"],
    ["one digit short", `sha256:${HEX_256.slice(1)}`, "64 lower-case hex digits"],
    ["one digit long", `sha256:${HEX_256}0`, "64 lower-case hex digits"],
    ["a sha256-length sha512", `sha512:${HEX_256}`, "128 lower-case hex digits"],
    ["a non-hex digit", `sha256:${HEX_256.slice(1)}g`, "hex digits"],
    ["an unknown algorithm", `md5:${HEX_256.slice(32)}`, "not supported"],
    ["a grammatical but unknown algorithm", `sha256+b64u:${HEX_256}`, "not supported"],
    ["an upper-case algorithm", `SHA256:${HEX_256}`, "not a digest"],
    ["no algorithm", HEX_256, "not a digest"],
    ["no hex", "sha256:", "not a digest"],
    ["an empty string", "", "not a digest"],
    ["two colons", `sha256:${HEX_256}:x`, "not a digest"],
    ["a path", "sha256:../../etc/passwd", "not a digest"],
    ["white space", ` sha256:${HEX_256}`, "not a digest"],
  ];
  for (const [why, text, says] of REFUSED) {
    test(`refuses ${why} as digest-invalid`, () => {
      const error = refusal(text);
      expect(error.kind).toBe("digest-invalid");
      expect(error.message).toContain(says);
    });
  }

  test("shortens a very long digest in its message", () => {
    const error = refusal(`sha256:${"a".repeat(500)}`);
    expect(error.message.length).toBeLessThan(200);
    expect(error.message).toContain("…");
  });
});

describe("digestAlgorithm", () => {
  test("tells sha512 from sha256", () => {
    expect(digestAlgorithm(`sha512:${HEX_512}`)).toBe("sha512");
    expect(digestAlgorithm(`sha256:${HEX_256}`)).toBe("sha256");
  });
});

describe("digestOf", () => {
  const bytes = new TextEncoder().encode("hello");

  test("is sha256 by default", () => {
    expect(digestOf(bytes)).toBe(
      "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
    );
  });

  test("can use sha512", () => {
    expect(digestOf(bytes, "sha512")).toBe(
      "sha512:9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca7" +
        "2323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043",
    );
  });

  test("what it returns passes parseDigest", () => {
    expect(parseDigest(digestOf(bytes, "sha512"))).toBe(digestOf(bytes, "sha512"));
    expect(parseDigest(digestOf(new Uint8Array()))).toBe(digestOf(new Uint8Array()));
  });
});

import { describe, expect, test } from "bun:test";
import { parseReference } from "../../src/registry/reference.ts";
import { RegistryError } from "../../src/registry/registry-error.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;

function refusalKind(text: string): string {
  try {
    parseReference(text);
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    return (error as RegistryError).kind;
  }
  throw new Error(`accepted ${JSON.stringify(text)}`);
}

describe("parseReference", () => {
  test("a tag is a tag", () => {
    expect(parseReference("latest")).toEqual({ kind: "tag", tag: "latest" });
  });

  test("a digest is a digest", () => {
    expect(parseReference(DIGEST)).toEqual({ kind: "digest", digest: DIGEST });
  });

  test("sha256-<hex> without a colon is a tag, as cosign writes signatures", () => {
    const tag = `sha256-${"ab".repeat(32)}`;
    expect(parseReference(tag)).toEqual({ kind: "tag", tag });
  });

  test("anything with a colon is a digest, so a malformed one is digest-invalid", () => {
    expect(refusalKind("sha256:abc")).toBe("digest-invalid");
    expect(refusalKind("v1:2")).toBe("digest-invalid");
    expect(refusalKind(`sha256:${"AB".repeat(32)}`)).toBe("digest-invalid");
  });

  test("text without a colon that is not a tag is tag-invalid", () => {
    expect(refusalKind("-latest")).toBe("tag-invalid");
    expect(refusalKind("")).toBe("tag-invalid");
  });
});

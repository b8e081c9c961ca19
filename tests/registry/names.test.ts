import { describe, expect, test } from "bun:test";
import {
  isTag,
  MAX_REPOSITORY_NAME_LENGTH,
  parseRepositoryName,
  parseTag,
} from "../../src/registry/names.ts";
import { RegistryError } from "../../src/registry/registry-error.ts";

/** The kind of error `parse` throws for `text`; fails the test when it accepts it. */
function refusalKind(parse: (text: string) => string, text: string): string {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    return (error as RegistryError).kind;
  }
  throw new Error(`accepted ${JSON.stringify(text)}`);
}

describe("parseRepositoryName", () => {
  const VALID = [
    "busybox",
    "library/busybox",
    "team/group/project/app",
    "a",
    "0",
    "my-app",
    "my--app",
    "my.app",
    "my_app",
    "my__app",
    "a1.b2_c3__d4-e5/f6",
  ];
  for (const name of VALID) {
    test(`${name} is a repository name`, () => {
      expect(parseRepositoryName(name)).toBe(name);
    });
  }

  const INVALID = [
    "",
    "Busybox",
    "library/",
    "/busybox",
    "library//busybox",
    "-app",
    "app-",
    ".app",
    "app.",
    "_app",
    "my___app",
    "my..app",
    "my._app",
    "my app",
    "my:app",
    "../app",
    "team/../app",
    "app@sha256",
  ];
  for (const name of INVALID) {
    test(`${JSON.stringify(name)} is refused as name-invalid`, () => {
      expect(refusalKind(parseRepositoryName, name)).toBe("name-invalid");
    });
  }

  test(`a name of ${MAX_REPOSITORY_NAME_LENGTH} characters is accepted`, () => {
    const name = `${"a".repeat(127)}/${"b".repeat(127)}`;
    expect(name).toHaveLength(MAX_REPOSITORY_NAME_LENGTH);
    expect(parseRepositoryName(name)).toBe(name);
  });

  test("a name one character longer is refused, saying the limit", () => {
    const name = "a".repeat(MAX_REPOSITORY_NAME_LENGTH + 1);
    expect(() => parseRepositoryName(name)).toThrow(
      `repository name is 256 characters long; the limit is ${MAX_REPOSITORY_NAME_LENGTH}`,
    );
  });
});

describe("tags", () => {
  const VALID = [
    "latest",
    "v1.2.3",
    "1.0",
    "_internal",
    "Release_Candidate-1",
    "a",
    "t".repeat(128),
    `sha256-${"a".repeat(64)}`,
    `sha256-${"a".repeat(64)}.sig`,
  ];
  for (const tag of VALID) {
    test(`${tag.length > 40 ? `${tag.slice(0, 40)}…` : tag} is a tag`, () => {
      expect(isTag(tag)).toBe(true);
      expect(parseTag(tag)).toBe(tag);
    });
  }

  const INVALID = [
    "",
    ".hidden",
    "-dash",
    "t".repeat(129),
    `sha256:${"a".repeat(64)}`,
    "has space",
    "has/slash",
    "has+plus",
    "ünïcode",
  ];
  for (const tag of INVALID) {
    test(`${JSON.stringify(tag.length > 40 ? `${tag.slice(0, 40)}…` : tag)} is not a tag`, () => {
      expect(isTag(tag)).toBe(false);
      expect(refusalKind(parseTag, tag)).toBe("tag-invalid");
    });
  }
});

import { describe, expect, test } from "bun:test";
import { globMatches, globProblem } from "../../src/policy/glob.ts";

const MATCHES: Array<[glob: string, repository: string, matches: boolean]> = [
  ["app", "app", true],
  ["app", "app2", false],
  ["team/app", "team/app", true],
  ["*", "app", true],
  ["*", "team/app", false],
  ["team/*", "team/app", true],
  ["team/*", "team/a/b", false],
  ["team/*", "team", false],
  ["team/**", "team/a", true],
  ["team/**", "team/a/b", true],
  ["team/**", "team", false],
  ["team/**", "teams/a", false],
  ["*/app", "x/app", true],
  ["*/app", "x/y/app", false],
  ["**/app", "x/y/app", true],
  ["**", "a/b/c", true],
  ["team/*-dev", "team/web-dev", true],
  ["team/*-dev", "team/web-prod", false],
  ["team/**/cache", "team/a/b/cache", true],
  // `.` is a literal, not a regular-expression wildcard.
  ["a.b", "a.b", true],
  ["a.b", "axb", false],
  ["v1.*", "v1.x", true],
  ["v1.*", "v12x", false],
];

describe("globMatches", () => {
  for (const [glob, repository, matches] of MATCHES) {
    test(`${glob} ${matches ? "matches" : "does not match"} ${repository}`, () => {
      expect(globMatches(glob, repository)).toBe(matches);
    });
  }

  test("a compiled glob gives the same answer the second time", () => {
    expect(globMatches("cache/**", "cache/a/b")).toBe(true);
    expect(globMatches("cache/**", "cache/a/b")).toBe(true);
    expect(globMatches("cache/**", "other")).toBe(false);
  });
});

describe("globProblem", () => {
  for (const fine of ["team/**", "*/app", "a.b_c-d/e", "**", "*"]) {
    test(`${fine} is a valid glob`, () => {
      expect(globProblem(fine)).toBeNull();
    });
  }

  const BAD: Array<[glob: string, says: string]> = [
    ["", "cannot be empty"],
    ["Team/app", "lower-case"],
    ["team/[ab]", "lower-case"],
    ["team app", "lower-case"],
    ["team/***", "more than two"],
  ];
  for (const [glob, says] of BAD) {
    test(`${JSON.stringify(glob)} is refused: ${says}`, () => {
      expect(globProblem(glob)).toContain(says);
    });
  }
});

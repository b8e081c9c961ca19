import { describe, expect, test } from "bun:test";
import { arrangeArguments, listFlag, wantsHelp } from "../../../src/cli/ctl/argv.ts";
import { UsageError } from "../../../src/cli/ctl/errors.ts";

const ARGS = {
  server: { type: "string" },
  json: { type: "boolean" },
  yes: { type: "boolean", alias: "y" },
  "event-type": { type: "string" },
  id: { type: "positional", required: true },
} as const;

describe("arrangeArguments", () => {
  test("puts flags first and arguments after --", () => {
    expect(arrangeArguments(ARGS, ["7", "--json", "--server", "http://x"])).toEqual([
      "--json",
      "--server",
      "http://x",
      "--",
      "7",
    ]);
  });

  test("reads a negative number as an argument, and accepts aliases and =values", () => {
    expect(arrangeArguments(ARGS, ["-1", "-y", "--event-type=login"])).toEqual([
      "-y",
      "--event-type=login",
      "--",
      "-1",
    ]);
  });

  test("refuses what citty would let through", () => {
    const cases: Array<[string[], string]> = [
      [["1", "--bogus"], "unknown option --bogus"],
      [["1", "--server"], "--server needs a value"],
      [["1", "--server", "--json"], "--server needs a value"],
      [[], "missing argument <id>"],
      [["1", "2"], 'unexpected argument "2"'],
    ];
    for (const [tokens, message] of cases) {
      expect(() => arrangeArguments(ARGS, tokens)).toThrow(new UsageError(message));
    }
  });
});

test("listFlag joins repeated and comma-separated values; an empty value clears", () => {
  expect(listFlag(["--role", "a", "--role=b,c"], "role")).toEqual(["a", "b", "c"]);
  expect(listFlag(["--role", ""], "role")).toEqual([]);
  expect(listFlag(["--json"], "role")).toBeUndefined();
  expect(listFlag(["--", "--role", "a"], "role")).toBeUndefined();
});

test("wantsHelp looks only before --", () => {
  expect(wantsHelp(["repo", "-h"])).toBe(true);
  expect(wantsHelp(["--", "--help"])).toBe(false);
});

import { expect, test } from "bun:test";
import { unknownFlags } from "../../src/cli/unknown-flags.ts";

const ARGS = {
  config: { type: "string" },
  "data-dir": { type: "string" },
  yes: { type: "boolean", alias: "y" },
  name: { type: "positional" },
};

test("every defined flag, alias, --no- of a boolean, =value form and --help is known", () => {
  expect(
    unknownFlags(ARGS, ["--config", "a.toml", "--data-dir=/srv", "-y", "--no-yes", "--help"]),
  ).toEqual([]);
});

test("a misspelled or undefined flag is reported as typed, positionals are not flags", () => {
  expect(unknownFlags(ARGS, ["--data_dir", "/srv", "--listn=x", "team/app", "-q"])).toEqual([
    "--data_dir",
    "--listn=x",
    "-q",
  ]);
});

test("a positional after -- and a negative number are values, not flags", () => {
  expect(unknownFlags(ARGS, ["-5", "--", "--anything"])).toEqual([]);
});

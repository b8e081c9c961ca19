import { describe, expect, test } from "bun:test";
import { parseDuration } from "../../src/config/duration.ts";

describe("parseDuration", () => {
  const READ: Array<[text: string | number, seconds: number]> = [
    ["30", 30],
    ["30s", 30],
    ["500ms", 0.5],
    ["15m", 900],
    ["24h", 86400],
    ["7d", 604800],
    ["1.5h", 5400],
    ["0", 0],
    [" 10 s ", 10],
    [45, 45],
    [0.25, 0.25],
  ];
  for (const [text, seconds] of READ) {
    test(`${JSON.stringify(text)} is ${seconds} seconds`, () => {
      expect(parseDuration(text)).toBe(seconds);
    });
  }

  const REFUSED: unknown[] = [
    "",
    "s",
    "-5s",
    "5 minutes",
    "5w",
    "5S",
    "1h30m",
    ".5s",
    "5.s",
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    true,
    null,
    undefined,
    ["5s"],
  ];
  for (const value of REFUSED) {
    test(`${show(value)} is not a duration`, () => {
      expect(parseDuration(value)).toBeNull();
    });
  }
});

function show(value: unknown): string {
  return typeof value === "number" ? String(value) : (JSON.stringify(value) ?? String(value));
}

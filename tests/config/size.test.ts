import { describe, expect, test } from "bun:test";
import { parseByteSize } from "../../src/config/size.ts";

describe("parseByteSize", () => {
  const READ: Array<[text: string | number, bytes: number]> = [
    ["4194304", 4194304],
    ["512b", 512],
    ["4MiB", 4 * 1024 * 1024],
    ["4mib", 4 * 1024 * 1024],
    ["2KiB", 2048],
    ["1GiB", 1024 ** 3],
    ["512kb", 512_000],
    ["3MB", 3_000_000],
    ["1gb", 1_000_000_000],
    [" 8 KiB ", 8192],
    [1024, 1024],
    [0, 0],
  ];
  for (const [text, bytes] of READ) {
    test(`${JSON.stringify(text)} is ${bytes} bytes`, () => {
      expect(parseByteSize(text)).toBe(bytes);
    });
  }

  const REFUSED: unknown[] = [
    "",
    "MiB",
    "4TiB",
    "4 megabytes",
    "1.5MiB",
    "-1",
    1.5,
    -1,
    null,
    {},
    "9999999999999999999999",
    "9999999999GiB",
    2 ** 60,
  ];
  for (const value of REFUSED) {
    test(`${JSON.stringify(value)} is not a size`, () => {
      expect(parseByteSize(value)).toBeNull();
    });
  }
});

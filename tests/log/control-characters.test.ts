import { expect, test } from "bun:test";
import { escapeControlCharacters, hasControlCharacters } from "../../src/log/control-characters.ts";

const ESC = "\u001b";

test("control characters become visible escapes, everything else stays", () => {
  expect(escapeControlCharacters(`a${ESC}[2Jb`)).toBe("a\\x1b[2Jb");
  expect(escapeControlCharacters("line\nnext\r\t")).toBe("line\\x0anext\\x0d\\x09");
  expect(escapeControlCharacters("\u0000\u007f\u0085\u009b")).toBe("\\x00\\x7f\\x85\\x9b");
  expect(escapeControlCharacters("\u202eevil\u2066\u2069\u2028")).toBe(
    "\\u202eevil\\u2066\\u2069\\u2028",
  );
  expect(escapeControlCharacters("team/app é 日本 ✓ \\x1b")).toBe("team/app é 日本 ✓ \\x1b");
});

test("line feeds may be kept when the text's lines are ours", () => {
  expect(escapeControlCharacters(`a\nb${ESC}`, true)).toBe("a\nb\\x1b");
});

test("detects what it would escape", () => {
  expect(hasControlCharacters("plain text")).toBe(false);
  expect(hasControlCharacters(`${ESC}`)).toBe(true);
  expect(hasControlCharacters("\u0090")).toBe(true);
  expect(hasControlCharacters("\u202d")).toBe(true);
});

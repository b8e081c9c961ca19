import { expect, test } from "bun:test";
import { NON_ASCII_FOLDS } from "../../src/registry/case-variant-keys.ts";

test("every character outside ASCII that case-maps to an ASCII letter is folded", () => {
  // Go compares upper(lower(c)) with one-to-one mappings; JavaScript's mappings are the same
  // where they give one character. Longer ones (ß to SS, ﬁ to FI) Go does not make, except
  // that the simple lowercase of U+0130 is i, where JavaScript adds a combining dot.
  const found: Record<string, string> = { "\u0130": "I" };
  for (let code = 0x80; code <= 0x10ffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const char = String.fromCodePoint(code);
    for (const mapped of [char.toLowerCase(), char.toUpperCase()]) {
      const once = mapped.length === 1 ? mapped : "";
      if (/^[A-Za-z]$/.test(once)) found[char] = once.toUpperCase();
    }
  }
  expect(found).toEqual({ ...NON_ASCII_FOLDS });
});

/**
 * The characters of `text` a terminal would act on rather than show (C0 but the line feed
 * when `lineFeeds` is set, DEL, C1, the bidirectional overrides and isolates), written as
 * code points so that a failing test says which. Kept apart from src/log on purpose: tests
 * must not judge the escaping with the code that does it.
 */
export function rawControlCharacters(text: string, lineFeeds = false): string[] {
  const found: string[] = [];
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (lineFeeds && code === 0x0a) continue;
    const control =
      code <= 0x1f ||
      (code >= 0x7f && code <= 0x9f) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069);
    if (control) found.push(`U+${code.toString(16).padStart(4, "0")}`);
  }
  return found;
}

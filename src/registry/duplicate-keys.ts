/**
 * The first member name that appears twice in one object of a JSON text, or null. JSON.parse
 * keeps the last value and other parsers may keep the first (RFC 8259 leaves it open), so a
 * manifest with `"mediaType"` twice would read as one type here and another elsewhere.
 * Names are compared after unescaping: `"a"` and `"\u0061"` are the same name.
 *
 * The text must already be valid JSON (JSON.parse accepted it); this only walks it.
 *
 * @example findDuplicateKey('{"a":1,"a":2}') // "a"
 */
export function findDuplicateKey(text: string): string | null {
  // One entry per open container: the names seen so far in an object, null in an array.
  const open: Array<Set<string> | null> = [];
  let at = 0;
  while (at < text.length) {
    const code = text.charCodeAt(at);
    if (code === QUOTE) {
      const end = endOfString(text, at);
      const names = open.at(-1);
      if (names && nextSignificant(text, end) === COLON) {
        const name = nameAt(text, at, end);
        if (names.has(name)) return name;
        names.add(name);
      }
      at = end;
      continue;
    }
    if (code === OPEN_BRACE) open.push(new Set());
    else if (code === OPEN_BRACKET) open.push(null);
    else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) open.pop();
    at++;
  }
  return null;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** The index just past the closing quote of the string starting at `start`. */
function endOfString(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  // A quote preceded by an odd number of backslashes is escaped, part of the string.
  while (quote > 0 && isEscaped(text, quote)) quote = text.indexOf('"', quote + 1);
  return quote < 0 ? text.length : quote + 1;
}

function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
  return backslashes % 2 === 1;
}

/** The member name of the string literal at [start, end), unescaped only when it must be. */
function nameAt(text: string, start: number, end: number): string {
  const literal = text.slice(start, end);
  return literal.includes("\\") ? (JSON.parse(literal) as string) : literal.slice(1, -1);
}

function nextSignificant(text: string, from: number): number {
  let at = from;
  for (;;) {
    const code = text.charCodeAt(at);
    // Space, tab, line feed, carriage return: the only whitespace JSON allows.
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return code;
    at++;
  }
}

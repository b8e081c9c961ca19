/**
 * Whether a character is one a terminal or a log reader acts on instead of showing: the C0
 * controls (ESC starts colour and cursor sequences, CR and LF forge lines), DEL, the C1
 * controls (0x9b is a one-byte `ESC [` to many terminals), the line and paragraph
 * separators, and the Unicode bidirectional overrides and isolates, which make text display
 * in another order than it reads.
 */
function isControlCharacter(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/** Whether `text` holds a character {@link escapeControlCharacters} would rewrite. */
export function hasControlCharacters(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    if (isControlCharacter(text.charCodeAt(index))) return true;
  }
  return false;
}

/**
 * Text from elsewhere (a server, a client, a request) made safe to write to a terminal or a
 * log line: each control character becomes a visible escape, `\x1b` or `\u202e`, and every
 * other character stays as it is. `keepLineFeeds` leaves line feeds alone, for text whose
 * lines are the caller's own.
 *
 * @example escapeControlCharacters("a\u001b[2Jb") // "a\\x1b[2Jb"
 */
export function escapeControlCharacters(text: string, keepLineFeeds = false): string {
  if (!hasControlCharacters(text)) return text;
  let escaped = "";
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const kept = !isControlCharacter(code) || (keepLineFeeds && code === 0x0a);
    escaped += kept ? text[index] : visibleEscape(code);
  }
  return escaped;
}

function visibleEscape(code: number): string {
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** Generators of hostile and near-miss OCI identifiers, shared by the fuzz tests. */
import fc from "fast-check";

/** One component of a repository name, as the distribution spec's grammar writes it. */
const nameComponent = fc.stringMatching(/^[a-z0-9]{1,8}(?:(?:\.|_|__|-{1,2})[a-z0-9]{1,8}){0,2}$/);

/** Repository names the spec's grammar accepts. */
export const validName = fc
  .array(nameComponent, { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join("/"));

/** Pieces that make a name, tag or digest wrong, or try to leave the path it belongs to. */
export const hostilePiece = fc.constantFrom(
  "..",
  ".",
  "/",
  "//",
  "\\",
  "%2e%2e",
  "%2E%2e",
  ".%2e",
  "%2f",
  "%2F",
  "%5c",
  "%252e%252e",
  "%252f",
  "%00",
  "\u0000",
  "%",
  "%zz",
  "A",
  "Z",
  "___",
  "-",
  ".-",
  "é",
  "İ",
  "ſ",
  "\u{1F4E6}",
  "\u200b",
  " ",
  ":",
  "@",
  "+",
  "~",
  "*",
  "'",
  '"',
  "<",
  "&",
  ";",
  "/etc/passwd",
  "../../../../etc/passwd",
);

/** A valid string with one hostile piece put in at some position. */
export function withHostilePiece(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(valid, hostilePiece, fc.nat()).map(([text, piece, at]) => {
    const cut = at % (text.length + 1);
    return text.slice(0, cut) + piece + text.slice(cut);
  });
}

/** Valid names, near misses, very long names and arbitrary text. */
export const anyName = fc.oneof(
  { arbitrary: validName, weight: 3 },
  { arbitrary: withHostilePiece(validName), weight: 5 },
  { arbitrary: fc.integer({ min: 250, max: 260 }).map((n) => "a".repeat(n)), weight: 1 },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 10 }), weight: 1 },
  { arbitrary: validName.map((name) => name.toUpperCase()), weight: 1 },
);

/** Tags the spec's grammar accepts (kept short; the 128 limit has cases of its own). */
export const validTag = fc.stringMatching(/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,20}$/);

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: length, maxLength: length });

/** Digests MCR can verify: sha256 and sha512 in lower-case hex. */
export const validDigest = fc.oneof(
  hex(64).map((h) => `sha256:${h}`),
  hex(128).map((h) => `sha512:${h}`),
);

/** Digests that are nearly right: wrong algorithm, length, case or separator. */
export const nearMissDigest = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("md5", "sha1", "sha384", "SHA256", "sha-256", "blake3", "sha256+b64u"),
      hex(64),
    )
    .map(([algorithm, h]) => `${algorithm}:${h}`),
  fc.integer({ min: 0, max: 130 }).chain((n) => hex(n).map((h) => `sha256:${h}`)),
  fc.integer({ min: 0, max: 140 }).chain((n) => hex(n).map((h) => `sha512:${h}`)),
  hex(64).map((h) => `sha256:${h.toUpperCase()}`),
  hex(64).map((h) => `sha256%3A${h}`),
  hex(64).map((h) => `sha256::${h}`),
  hex(64).map((h) => `:${h}`),
  hex(64).map((h) => `sha256:${h.slice(0, 40)}g${h.slice(41)}`),
  withHostilePiece(validDigest),
);

/** Any digest-like text. */
export const anyDigest = fc.oneof(
  { arbitrary: validDigest, weight: 2 },
  { arbitrary: nearMissDigest, weight: 5 },
  { arbitrary: fc.string({ maxLength: 30 }), weight: 1 },
);

/** Tags, digests and near misses of both. */
export const anyReference = fc.oneof(
  { arbitrary: validTag, weight: 3 },
  { arbitrary: withHostilePiece(validTag), weight: 3 },
  { arbitrary: fc.integer({ min: 127, max: 130 }).map((n) => "t".repeat(n)), weight: 1 },
  { arbitrary: fc.constantFrom(".hidden", "-dash", "sha256-abc", "latest:", ":latest"), weight: 1 },
  { arbitrary: anyDigest, weight: 3 },
);

/** The name grammar, restated from the spec as the oracle (not imported from the product). */
export function isValidName(name: string): boolean {
  const component = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
  return name.length <= 255 && new RegExp(`^${component}(?:/${component})*$`).test(name);
}

/** The tag grammar of the spec. */
export function isValidTag(tag: string): boolean {
  return /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/.test(tag);
}

/** A digest MCR can verify. */
export function isValidDigest(digest: string): boolean {
  return /^(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/.test(digest);
}

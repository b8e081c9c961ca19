/**
 * The few DER encodings (ITU-T X.690) an X.509 certificate needs. Each function returns one
 * complete tag-length-value; constructed values take their already-encoded children.
 */

/** One TLV: the tag byte, the definite length (short or long form), the contents. */
export function tlv(tag: number, contents: Uint8Array): Uint8Array {
  const length = contents.length;
  let header: number[];
  if (length < 0x80) {
    header = [tag, length];
  } else {
    const lengthBytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256))
      lengthBytes.unshift(rest % 256);
    header = [tag, 0x80 | lengthBytes.length, ...lengthBytes];
  }
  const out = new Uint8Array(header.length + length);
  out.set(header);
  out.set(contents, header.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export const sequence = (...children: Uint8Array[]) => tlv(0x30, concat(children));
export const set = (...children: Uint8Array[]) => tlv(0x31, concat(children));
export const octetString = (bytes: Uint8Array) => tlv(0x04, bytes);
export const utf8String = (text: string) => tlv(0x0c, new TextEncoder().encode(text));
export const boolean = (value: boolean) => tlv(0x01, Uint8Array.of(value ? 0xff : 0));

/** `[n] EXPLICIT`: a constructed context-specific tag around one encoded value. */
export const explicit = (n: number, child: Uint8Array) => tlv(0xa0 | n, child);

/** `[n] IMPLICIT` over a primitive value: the context-specific tag replaces the type's own. */
export const implicit = (n: number, bytes: Uint8Array) => tlv(0x80 | n, bytes);

/** A BIT STRING whose bits fill whole bytes (no unused bits). */
export const bitString = (bytes: Uint8Array) => tlv(0x03, concat([Uint8Array.of(0), bytes]));

/** A non-negative INTEGER from big-endian bytes: a leading 0 keeps a set high bit positive. */
export function unsignedInteger(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  const needsPad = (trimmed[0] ?? 0) >= 0x80;
  return tlv(0x02, needsPad ? concat([Uint8Array.of(0), trimmed]) : trimmed);
}

/** An OBJECT IDENTIFIER from dotted text, e.g. "2.5.4.3". */
export function objectIdentifier(dotted: string): Uint8Array {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const base128: number[] = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) {
      base128.unshift(0x80 | (value & 0x7f));
    }
    bytes.push(...base128);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

/**
 * A certificate validity time: UTCTime (YYMMDDHHMMSSZ) through 2049 and GeneralizedTime
 * after, as RFC 5280 section 4.1.2.5 requires.
 */
export function time(date: Date): Uint8Array {
  const digits = `${date.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;
  const utc = date.getUTCFullYear() < 2050;
  return tlv(utc ? 0x17 : 0x18, new TextEncoder().encode(utc ? digits.slice(2) : digits));
}

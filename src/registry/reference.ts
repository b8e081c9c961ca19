import { parseDigest } from "./digest.ts";
import { parseTag } from "./names.ts";

/** What follows /manifests/ in a URL: a tag or a digest. */
export type Reference = { kind: "tag"; tag: string } | { kind: "digest"; digest: string };

/**
 * Tells a tag from a digest. Tags cannot contain a colon, so a colon means a digest, and a
 * malformed one is a digest error rather than an odd tag.
 */
export function parseReference(text: string): Reference {
  if (text.includes(":")) return { kind: "digest", digest: parseDigest(text) };
  return { kind: "tag", tag: parseTag(text) };
}

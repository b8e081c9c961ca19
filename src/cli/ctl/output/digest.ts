/**
 * A digest short enough for a table: the algorithm and the first 12 hex digits, as docker
 * shows image ids. Full digests are in the --json output.
 *
 * @example shortDigest("sha256:0123456789abcdef…") // "sha256:0123456789ab"
 */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(":");
  return hex === undefined ? digest : `${algorithm}:${hex.slice(0, 12)}`;
}

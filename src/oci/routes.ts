import { parseRepositoryName } from "../registry/names.ts";

/** A /v2 URL taken apart: which resource, in which repository. */
export type OciRoute =
  | { resource: "base" }
  | { resource: "catalog" }
  | { resource: "tags"; name: string }
  | { resource: "manifest"; name: string; reference: string }
  | { resource: "blob"; name: string; digest: string }
  | { resource: "uploads"; name: string }
  | { resource: "upload"; name: string; id: string }
  | { resource: "referrers"; name: string; digest: string };

/**
 * Endpoints below /v2/<name>/. Names contain slashes, so the resource is found from the end
 * of the path; the greedy name group lets a repository be called, say, `a/blobs`.
 * Order matters: an upload URL also ends like a blob URL. Every path a pattern matches
 * contains its marker: testing for the marker first spares the greedy group's backtracking
 * through paths that cannot match, on every request.
 */
const PATTERNS: Array<[string, RegExp, (name: string, last: string) => OciRoute]> = [
  ["/tags/list", /^(.+)\/tags\/list$/, (name) => ({ resource: "tags", name })],
  [
    "/manifests/",
    /^(.+)\/manifests\/([^/]+)$/,
    (name, reference) => ({ resource: "manifest", name, reference }),
  ],
  ["/blobs/uploads", /^(.+)\/blobs\/uploads\/?$/, (name) => ({ resource: "uploads", name })],
  [
    "/blobs/uploads/",
    /^(.+)\/blobs\/uploads\/([^/]+)$/,
    (name, id) => ({ resource: "upload", name, id }),
  ],
  ["/blobs/", /^(.+)\/blobs\/([^/]+)$/, (name, digest) => ({ resource: "blob", name, digest })],
  [
    "/referrers/",
    /^(.+)\/referrers\/([^/]+)$/,
    (name, digest) => ({ resource: "referrers", name, digest }),
  ],
];

/**
 * Parses the path of a /v2 request. Returns null when the path names no endpoint of the
 * spec; throws "name-invalid" when it does but the repository name breaks the grammar.
 * The path is not percent-decoded: no valid name, tag or digest contains `%`.
 */
export function parseOciPath(pathname: string): OciRoute | null {
  if (pathname === "/v2" || pathname === "/v2/") return { resource: "base" };
  if (!pathname.startsWith("/v2/")) return null;
  const rest = pathname.slice(4);
  if (rest === "_catalog") return { resource: "catalog" };

  for (const [marker, pattern, build] of PATTERNS) {
    if (!rest.includes(marker)) continue;
    const match = pattern.exec(rest);
    if (match) return build(parseRepositoryName(match[1] ?? ""), match[2] ?? "");
  }
  return null;
}

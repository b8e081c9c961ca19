import type { Page } from "../registry/pagination.ts";
import { parsePageRequest } from "../registry/pagination.ts";
import { jsonResponse } from "../server/json-response.ts";
import type { OciRequest } from "./context.ts";
import { API_VERSION_HEADERS } from "./headers.ts";

/** GET /v2/: the version check. */
export function versionCheck() {
  return jsonResponse({}, { headers: API_VERSION_HEADERS });
}

/** GET /v2/<name>/tags/list, paginated with ?n= and ?last=. */
export async function listTags(ctx: OciRequest, name: string) {
  const request = pageRequest(ctx);
  const page = await ctx.deps.registry.discovery.tags(name, request);
  return pagedJson({ name, tags: page.items }, page, `/v2/${name}/tags/list`, request.limit);
}

/** GET /v2/_catalog, paginated with ?n= and ?last=. */
export async function listRepositories(ctx: OciRequest) {
  const request = pageRequest(ctx);
  const page = await ctx.deps.registry.discovery.catalog(request);
  return pagedJson({ repositories: page.items }, page, "/v2/_catalog", request.limit);
}

/**
 * GET /v2/<name>/referrers/<digest>: an image index of the manifests whose subject is the
 * digest, filtered by ?artifactType= when given (spec: "Listing Referrers").
 */
export async function listReferrers(ctx: OciRequest, name: string, digest: string) {
  const artifactType = ctx.url.searchParams.get("artifactType") || null;
  const referrers = await ctx.deps.registry.discovery.referrers(name, digest, artifactType);
  const index = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: referrers.map((referrer) => ({
      mediaType: referrer.mediaType,
      digest: referrer.digest,
      size: referrer.size,
      ...(referrer.artifactType ? { artifactType: referrer.artifactType } : {}),
      ...(referrer.annotations ? { annotations: referrer.annotations } : {}),
    })),
  };
  const headers: Record<string, string> = {
    ...API_VERSION_HEADERS,
    "Content-Type": "application/vnd.oci.image.index.v1+json",
  };
  if (artifactType) headers["OCI-Filters-Applied"] = "artifactType";
  return jsonResponse(index, { headers });
}

function pageRequest(ctx: OciRequest) {
  return parsePageRequest(ctx.url.searchParams.get("n"), ctx.url.searchParams.get("last"));
}

/** A JSON page with, when more follow, the spec's Link header to the next one. */
function pagedJson<T>(body: object, page: Page<T>, path: string, limit: number | null) {
  const headers: Record<string, string> = { ...API_VERSION_HEADERS };
  const last = page.items.at(-1);
  if (page.hasMore && limit !== null && last !== undefined) {
    const query = new URLSearchParams({ n: String(limit), last: String(last) });
    headers.Link = `<${path}?${query}>; rel="next"`;
  }
  return jsonResponse(body, { headers });
}

import { location, type OciRequest } from "./context.ts";
import { API_VERSION_HEADERS } from "./headers.ts";
import { readLimitedBody } from "./request-body.ts";

/**
 * GET and HEAD /v2/<name>/manifests/<reference>. The manifest is served as pushed, with the
 * media type it was pushed with, whatever the Accept header says: rewriting it would change
 * its digest.
 */
export async function getManifest(ctx: OciRequest, name: string, reference: string) {
  const manifest = await ctx.deps.registry.manifests.get(name, reference);
  const headers = {
    ...API_VERSION_HEADERS,
    "Content-Type": manifest.mediaType,
    "Content-Length": String(manifest.size),
    "Docker-Content-Digest": manifest.digest,
    ETag: `"${manifest.digest}"`,
  };
  const body = ctx.request.method === "HEAD" ? null : manifest.content;
  return new Response(body, { status: 200, headers });
}

/** PUT /v2/<name>/manifests/<reference>. */
export async function putManifest(ctx: OciRequest, name: string, reference: string) {
  const { deps, request } = ctx;
  const content = await readLimitedBody(request, deps.manifestMaxSize, deps.stallTimeout);
  const pushed = await deps.registry.manifests.put(
    name,
    reference,
    request.headers.get("content-type"),
    content,
    ctx.actor,
  );
  const headers: Record<string, string> = {
    ...API_VERSION_HEADERS,
    Location: location(deps, `/v2/${name}/manifests/${pushed.digest}`),
    "Docker-Content-Digest": pushed.digest,
  };
  if (pushed.subjectDigest) headers["OCI-Subject"] = pushed.subjectDigest;
  return new Response(null, { status: 201, headers });
}

/** DELETE /v2/<name>/manifests/<reference>: a tag, or a manifest with its tags. */
export async function deleteManifest(ctx: OciRequest, name: string, reference: string) {
  await ctx.deps.registry.manifests.delete(name, reference, ctx.actor);
  return new Response(null, { status: 202, headers: API_VERSION_HEADERS });
}

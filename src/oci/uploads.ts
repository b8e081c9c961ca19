import { parseUploadContentRange } from "../registry/byte-range.ts";
import { parseRepositoryName } from "../registry/names.ts";
import { RegistryError } from "../registry/registry-error.ts";
import { location, type OciRequest } from "./context.ts";
import { uploadRange } from "./errors.ts";
import { API_VERSION_HEADERS } from "./headers.ts";
import { lentBodyChunks } from "./request-body.ts";

/**
 * POST /v2/<name>/blobs/uploads/: mount a blob from another repository (?mount=&from=),
 * upload a whole blob in one request (?digest=), or open an upload session.
 */
export async function startUpload(ctx: OciRequest, name: string) {
  const { deps, url } = ctx;
  const mount = url.searchParams.get("mount");
  const from = url.searchParams.get("from");

  if (mount !== null && from !== null) {
    const mounted = await tryMount(ctx, name, mount, from);
    if (mounted) return mounted;
  }
  // Spec: a mount the registry cannot do (no `from`, blob absent, no access) falls back to
  // an ordinary upload session rather than failing.
  if (mount === null && url.searchParams.has("digest")) {
    const body = lentBodyChunks(ctx.request, deps.stallTimeout, deps.memoryValve);
    const blob = await deps.registry.uploads.uploadWhole(
      name,
      url.searchParams.get("digest"),
      body,
      ctx.actor,
    );
    return blobCreated(ctx, name, blob.digest);
  }
  const upload = await deps.registry.uploads.start(name);
  return uploadAccepted(ctx, name, upload.id, upload.size);
}

/** PATCH /v2/<name>/blobs/uploads/<id>: append a chunk. */
export async function appendUpload(ctx: OciRequest, name: string, id: string) {
  const range = parseUploadContentRange(ctx.request.headers.get("content-range"));
  const declared = ctx.request.headers.get("content-length");
  if (range && declared !== null && Number(declared) !== range.end - range.start + 1) {
    throw new RegistryError(
      "upload-invalid",
      `Content-Range ${range.start}-${range.end} announces ${range.end - range.start + 1} bytes but Content-Length is ${declared}`,
    );
  }
  const body = lentBodyChunks(ctx.request, ctx.deps.stallTimeout, ctx.deps.memoryValve);
  const upload = await ctx.deps.registry.uploads.append(name, id, body, range);
  return uploadAccepted(ctx, name, upload.id, upload.size);
}

/** PUT /v2/<name>/blobs/uploads/<id>?digest=: the last chunk, if any, and the check. */
export async function completeUpload(ctx: OciRequest, name: string, id: string) {
  const body = lentBodyChunks(ctx.request, ctx.deps.stallTimeout, ctx.deps.memoryValve);
  const digest = ctx.url.searchParams.get("digest");
  const blob = await ctx.deps.registry.uploads.complete(name, id, digest, body, ctx.actor);
  return blobCreated(ctx, name, blob.digest);
}

/** GET /v2/<name>/blobs/uploads/<id>: how far the upload got. */
export async function uploadStatus(ctx: OciRequest, name: string, id: string) {
  const upload = await ctx.deps.registry.uploads.status(name, id);
  return uploadAccepted(ctx, name, upload.id, upload.size, 204);
}

/** DELETE /v2/<name>/blobs/uploads/<id>: cancel. */
export async function cancelUpload(ctx: OciRequest, name: string, id: string) {
  await ctx.deps.registry.uploads.cancel(name, id);
  return new Response(null, { status: 204, headers: API_VERSION_HEADERS });
}

async function tryMount(ctx: OciRequest, name: string, digest: string, from: string) {
  const source = parseRepositoryName(from);
  const decision = await ctx.deps.access.check({
    actions: ["registry:pull"],
    repository: source,
    request: ctx.request,
    clientAddress: ctx.clientAddress,
  });
  if (!decision.allowed) return null;
  const size = await ctx.deps.registry.blobs.mount(name, digest, source, ctx.actor);
  return size === null ? null : blobCreated(ctx, name, digest);
}

function uploadAccepted(ctx: OciRequest, name: string, id: string, size: number, status = 202) {
  return new Response(null, {
    status,
    headers: {
      ...API_VERSION_HEADERS,
      Location: location(ctx.deps, `/v2/${name}/blobs/uploads/${id}`),
      Range: uploadRange(size),
      "Docker-Upload-UUID": id,
    },
  });
}

function blobCreated(ctx: OciRequest, name: string, digest: string) {
  return new Response(null, {
    status: 201,
    headers: {
      ...API_VERSION_HEADERS,
      Location: location(ctx.deps, `/v2/${name}/blobs/${digest}`),
      "Docker-Content-Digest": digest,
    },
  });
}

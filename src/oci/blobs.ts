import type { OciRequest } from "./context.ts";
import { API_VERSION_HEADERS } from "./headers.ts";

/** HEAD /v2/<name>/blobs/<digest>. */
export async function headBlob(ctx: OciRequest, name: string, digest: string) {
  const size = await ctx.deps.registry.blobs.stat(name, digest);
  return new Response(null, {
    status: 200,
    headers: blobHeaders(digest, { "Content-Length": String(size) }),
  });
}

/** GET /v2/<name>/blobs/<digest>, streamed from the file, honouring one Range. */
export async function getBlob(ctx: OciRequest, name: string, digest: string) {
  const rangeHeader = ctx.request.headers.get("range");
  const blob = await ctx.deps.registry.blobs.read(name, digest, rangeHeader);
  if (!blob.range) {
    // Bun.serve applies a request's Range itself to a 200 whose body is a file: a Range MCR
    // chose to ignore (RFC 9110 allows that for `bytes=5-2` or several ranges) would get
    // Bun's bare 416 or a partial body. Only then is the file hidden behind a plain stream.
    const body = rangeHeader ? blob.data.stream().pipeThrough(new TransformStream()) : blob.data;
    return new Response(body, {
      status: 200,
      headers: blobHeaders(digest, { "Content-Length": String(blob.size) }),
    });
  }
  const { start, end } = blob.range;
  return new Response(blob.data, {
    status: 206,
    headers: blobHeaders(digest, {
      "Content-Length": String(end - start + 1),
      "Content-Range": `bytes ${start}-${end}/${blob.size}`,
    }),
  });
}

/** DELETE /v2/<name>/blobs/<digest>: the blob is no longer readable through this repository. */
export async function deleteBlob(ctx: OciRequest, name: string, digest: string) {
  await ctx.deps.registry.blobs.delete(name, digest, ctx.actor);
  return new Response(null, { status: 202, headers: API_VERSION_HEADERS });
}

function blobHeaders(digest: string, extra: Record<string, string>): Record<string, string> {
  return {
    ...API_VERSION_HEADERS,
    "Content-Type": "application/octet-stream",
    "Docker-Content-Digest": digest,
    "Accept-Ranges": "bytes",
    ETag: `"${digest}"`,
    ...extra,
  };
}

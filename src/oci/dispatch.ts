import type { RegistryAction } from "../auth/access.ts";
import { RegistryError } from "../registry/registry-error.ts";
import { deleteBlob, getBlob, headBlob } from "./blobs.ts";
import type { OciDependencies, OciRequest } from "./context.ts";
import { listReferrers, listRepositories, listTags, versionCheck } from "./discovery.ts";
import { ociErrorResponse, registryErrorResponse } from "./errors.ts";
import { deleteManifest, getManifest, putManifest } from "./manifests.ts";
import { type OciRoute, parseOciPath } from "./routes.ts";
import {
  appendUpload,
  cancelUpload,
  completeUpload,
  startUpload,
  uploadStatus,
} from "./uploads.ts";

type Handler = (ctx: OciRequest, route: OciRoute) => Promise<Response> | Response;
interface Endpoint {
  action: RegistryAction;
  handle: Handler;
}

// Each handler receives the route its resource guarantees; these narrow it for them.
type Of<R extends OciRoute["resource"]> = Extract<OciRoute, { resource: R }>;
const on =
  <R extends OciRoute["resource"]>(
    _resource: R,
    handle: (ctx: OciRequest, route: Of<R>) => Promise<Response> | Response,
  ): Handler =>
  (ctx, route) =>
    handle(ctx, route as Of<R>);

/** Every /v2 endpoint: the action the access check must allow, then the handler. */
const ENDPOINTS: { [R in OciRoute["resource"]]: Record<string, Endpoint> } = {
  base: {
    GET: { action: "registry:version_check", handle: versionCheck },
  },
  catalog: {
    GET: { action: "registry:catalog", handle: (ctx) => listRepositories(ctx) },
  },
  tags: {
    GET: { action: "registry:pull", handle: on("tags", (ctx, r) => listTags(ctx, r.name)) },
  },
  manifest: {
    GET: {
      action: "registry:pull",
      handle: on("manifest", (ctx, r) => getManifest(ctx, r.name, r.reference)),
    },
    PUT: {
      action: "registry:push",
      handle: on("manifest", (ctx, r) => putManifest(ctx, r.name, r.reference)),
    },
    DELETE: {
      action: "registry:delete",
      handle: on("manifest", (ctx, r) => deleteManifest(ctx, r.name, r.reference)),
    },
  },
  blob: {
    GET: {
      action: "registry:pull",
      handle: on("blob", (ctx, r) => getBlob(ctx, r.name, r.digest)),
    },
    HEAD: {
      action: "registry:pull",
      handle: on("blob", (ctx, r) => headBlob(ctx, r.name, r.digest)),
    },
    DELETE: {
      action: "registry:delete",
      handle: on("blob", (ctx, r) => deleteBlob(ctx, r.name, r.digest)),
    },
  },
  uploads: {
    POST: { action: "registry:push", handle: on("uploads", (ctx, r) => startUpload(ctx, r.name)) },
  },
  upload: {
    GET: {
      action: "registry:push",
      handle: on("upload", (ctx, r) => uploadStatus(ctx, r.name, r.id)),
    },
    PATCH: {
      action: "registry:push",
      handle: on("upload", (ctx, r) => appendUpload(ctx, r.name, r.id)),
    },
    PUT: {
      action: "registry:push",
      handle: on("upload", (ctx, r) => completeUpload(ctx, r.name, r.id)),
    },
    DELETE: {
      action: "registry:push",
      handle: on("upload", (ctx, r) => cancelUpload(ctx, r.name, r.id)),
    },
  },
  referrers: {
    GET: {
      action: "registry:pull",
      handle: on("referrers", (ctx, r) => listReferrers(ctx, r.name, r.digest)),
    },
  },
};

/**
 * Answers one /v2 request: parse the path, pass the access check, run the handler, and turn
 * a registry failure into the spec's error body. Unexpected failures are rethrown for the
 * server to log and answer 500.
 */
export async function handleOciRequest(
  request: Request,
  clientAddress: string,
  deps: OciDependencies,
): Promise<Response> {
  const url = new URL(request.url);
  try {
    const route = parseOciPath(url.pathname);
    if (!route) {
      return ociErrorResponse(
        404,
        "UNSUPPORTED",
        `${url.pathname} is not an OCI distribution endpoint`,
      );
    }
    const endpoints = ENDPOINTS[route.resource];
    // HEAD is GET without the body, wherever GET exists and HEAD has no handler of its own.
    const endpoint =
      endpoints[request.method] ?? (request.method === "HEAD" ? endpoints.GET : undefined);
    if (!endpoint) {
      const allow = Object.keys(endpoints).join(", ");
      return ociErrorResponse(
        405,
        "UNSUPPORTED",
        `${request.method} is not allowed here; use ${allow}`,
        {
          Allow: allow,
        },
      );
    }

    const repository = "name" in route ? route.name : null;
    const decision = await deps.access.check({
      action: endpoint.action,
      repository,
      request,
      clientAddress,
    });
    if (!decision.allowed) {
      return decision.reason === "denied"
        ? ociErrorResponse(403, "DENIED", decision.message)
        : ociErrorResponse(401, "UNAUTHORIZED", decision.message);
    }

    const response = await endpoint.handle({ request, url, clientAddress, deps }, route);
    return request.method === "HEAD" ? withoutBody(response) : response;
  } catch (error) {
    if (error instanceof RegistryError) return registryErrorResponse(error);
    throw error;
  }
}

/** A HEAD answer keeps the GET's headers, Content-Length included, and drops its body. */
function withoutBody(response: Response): Response {
  if (response.body === null) return response;
  response.body.cancel().catch(() => {});
  return new Response(null, { status: response.status, headers: response.headers });
}

import type { AccessDecision, RegistryAction } from "../auth/access.ts";
import { IdentityUnavailableError } from "../auth/identity-provider.ts";
import { LoginThrottledError } from "../auth/login-throttle.ts";
import { RegistryError } from "../registry/registry-error.ts";
import { requestInfo } from "../server/request-info.ts";
import { isOutOfSpace, OUT_OF_SPACE_MESSAGE } from "../storage/out-of-space.ts";
import { deleteBlob, getBlob, headBlob } from "./blobs.ts";
import { bearerChallenge } from "./challenge.ts";
import type { OciDependencies, OciRequest } from "./context.ts";
import { listReferrers, listRepositories, listTags, versionCheck } from "./discovery.ts";
import { ociErrorResponse, registryErrorResponse } from "./errors.ts";
import { deleteManifest, getManifest, putManifest } from "./manifests.ts";
import { type OciRoute, parseOciPath } from "./routes.ts";
import { handleTokenRequest } from "./token.ts";
import {
  appendUpload,
  cancelUpload,
  completeUpload,
  startUpload,
  uploadStatus,
} from "./uploads.ts";

type Handler = (ctx: OciRequest, route: OciRoute) => Promise<Response> | Response;
interface Endpoint {
  /** The access check must allow one of these; the first is what a challenge asks for. */
  actions: readonly RegistryAction[];
  handle: Handler;
}

const PULL = ["registry:pull"] as const;
const PUSH = ["registry:push"] as const;
const DELETE = ["registry:delete"] as const;
/**
 * Existence checks (HEAD) are reads a push needs: clients check which blobs and manifests
 * are already there before sending them, so an account that may push but not pull can.
 */
const PULL_OR_PUSH = ["registry:pull", "registry:push"] as const;

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
    GET: { actions: ["registry:version_check"], handle: versionCheck },
  },
  catalog: {
    GET: { actions: ["registry:catalog"], handle: (ctx) => listRepositories(ctx) },
  },
  tags: {
    GET: { actions: PULL, handle: on("tags", (ctx, r) => listTags(ctx, r.name)) },
  },
  manifest: {
    GET: {
      actions: PULL,
      handle: on("manifest", (ctx, r) => getManifest(ctx, r.name, r.reference)),
    },
    HEAD: {
      actions: PULL_OR_PUSH,
      handle: on("manifest", (ctx, r) => getManifest(ctx, r.name, r.reference)),
    },
    PUT: {
      actions: PUSH,
      handle: on("manifest", (ctx, r) => putManifest(ctx, r.name, r.reference)),
    },
    DELETE: {
      actions: DELETE,
      handle: on("manifest", (ctx, r) => deleteManifest(ctx, r.name, r.reference)),
    },
  },
  blob: {
    GET: {
      actions: PULL,
      handle: on("blob", (ctx, r) => getBlob(ctx, r.name, r.digest)),
    },
    HEAD: {
      actions: PULL_OR_PUSH,
      handle: on("blob", (ctx, r) => headBlob(ctx, r.name, r.digest)),
    },
    DELETE: {
      actions: DELETE,
      handle: on("blob", (ctx, r) => deleteBlob(ctx, r.name, r.digest)),
    },
  },
  uploads: {
    POST: { actions: PUSH, handle: on("uploads", (ctx, r) => startUpload(ctx, r.name)) },
  },
  upload: {
    GET: {
      actions: PUSH,
      handle: on("upload", (ctx, r) => uploadStatus(ctx, r.name, r.id)),
    },
    PATCH: {
      actions: PUSH,
      handle: on("upload", (ctx, r) => appendUpload(ctx, r.name, r.id)),
    },
    PUT: {
      actions: PUSH,
      handle: on("upload", (ctx, r) => completeUpload(ctx, r.name, r.id)),
    },
    DELETE: {
      actions: PUSH,
      handle: on("upload", (ctx, r) => cancelUpload(ctx, r.name, r.id)),
    },
  },
  referrers: {
    GET: {
      actions: PULL,
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
  url: URL,
  clientAddress: string,
  deps: OciDependencies,
): Promise<Response> {
  try {
    if (url.pathname === "/v2/token" && deps.tokens) {
      return await handleTokenRequest(request, url, clientAddress, {
        ...deps.tokens,
        stallSeconds: deps.stallTimeout,
      });
    }
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
      const methods = Object.keys(endpoints);
      if (methods.includes("GET") && !methods.includes("HEAD")) methods.splice(1, 0, "HEAD");
      const allow = methods.join(", ");
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
      actions: endpoint.actions,
      repository,
      request,
      clientAddress,
    });
    if (!decision.allowed) return refusal(decision, endpoint, repository, url, deps);

    const actor = { name: decision.subject, clientAddress };
    const response = await endpoint.handle({ request, url, clientAddress, actor, deps }, route);
    return request.method === "HEAD" ? withoutBody(response) : response;
  } catch (error) {
    if (error instanceof RegistryError) return registryErrorResponse(error);
    if (error instanceof LoginThrottledError) {
      // Spec, "Error Codes": TOOMANYREQUESTS; Retry-After tells clients when to come back.
      return ociErrorResponse(429, "TOOMANYREQUESTS", error.message, {
        "Retry-After": String(error.retryAfterSeconds),
      });
    }
    if (error instanceof IdentityUnavailableError) {
      deps.log.error("identity service unavailable", { error: error.message });
      return ociErrorResponse(503, "UNAVAILABLE", "identity service unavailable; try again later");
    }
    if (isOutOfSpace(error)) return outOfSpace(request, error, deps);
    throw error;
  }
}

/**
 * 507 Insufficient Storage (RFC 4918) for a write the full disk refused. The spec has no
 * error code for it; Distribution's UNAVAILABLE says "try later", and the status line itself
 * names the cause in docker's "unexpected HTTP status" message. Upload and commit paths
 * have already cut back or discarded what they wrote, so the operator gets one warning line
 * per refused request, not a stack trace.
 */
function outOfSpace(request: Request, error: unknown, deps: OciDependencies): Response {
  deps.log.warn("storage full: a write was refused", {
    request_id: requestInfo(request).id,
    error: error instanceof Error ? error.message : String(error),
  });
  return ociErrorResponse(507, "UNAVAILABLE", OUT_OF_SPACE_MESSAGE);
}

/** 401 with a challenge when credentials could help, 403 when they would not. */
function refusal(
  decision: Extract<AccessDecision, { allowed: false }>,
  endpoint: Endpoint,
  repository: string | null,
  url: URL,
  deps: OciDependencies,
): Response {
  if (decision.reason === "denied") return ociErrorResponse(403, "DENIED", decision.message);
  const challenge = bearerChallenge({
    realm: `${deps.externalUrl ?? url.origin}/v2/token`,
    service: deps.tokens?.service.service ?? "mcr",
    actions: endpoint.actions,
    repository,
    error: decision.tokenError,
  });
  return ociErrorResponse(401, "UNAUTHORIZED", decision.message, { "WWW-Authenticate": challenge });
}

/** A HEAD answer keeps the GET's headers, Content-Length included, and drops its body. */
function withoutBody(response: Response): Response {
  if (response.body === null) return response;
  response.body.cancel().catch(() => {});
  return new Response(null, { status: response.status, headers: response.headers });
}

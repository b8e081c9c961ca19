import { Elysia } from "elysia";
import type { OciDependencies } from "../oci/context.ts";
import { handleOciRequest } from "../oci/dispatch.ts";
import { ociErrorResponse } from "../oci/errors.ts";
import { requestInfo } from "./request-info.ts";

/**
 * The HTTP application. /v2 (the OCI distribution API) is dispatched by its own path parser:
 * repository names contain slashes, so a router adds nothing there, and Elysia 1.4 finds the
 * path by assuming a Host of at least four characters (`Host: reg` would 404 everything).
 * Elysia serves the rest. Bodies are never parsed by a framework: uploads stream to disk.
 */
export function createApp(oci: OciDependencies): (request: Request) => Promise<Response> {
  const others = new Elysia().all("*", ({ request }) =>
    ociErrorResponse(404, "UNSUPPORTED", `${requestInfo(request).path} does not exist`),
  );
  return async (request) => {
    const info = requestInfo(request);
    if (info.path === "/v2" || info.path.startsWith("/v2/")) {
      return handleOciRequest(request, info.clientAddress, oci);
    }
    return others.handle(request);
  };
}

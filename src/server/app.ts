import { Elysia } from "elysia";
import type { OciDependencies } from "../oci/context.ts";
import { handleOciRequest } from "../oci/dispatch.ts";
import { ociErrorResponse } from "../oci/errors.ts";
import { requestInfo } from "./request-info.ts";

/**
 * The HTTP application: /v2 for the OCI distribution API. Bodies are never parsed by the
 * framework (`parse: "none"`): blob uploads stream straight to disk.
 */
export function createApp(oci: OciDependencies) {
  const v2 = ({ request }: { request: Request }) =>
    handleOciRequest(request, requestInfo(request).clientAddress, oci);
  return new Elysia()
    .all("/v2", v2, { parse: "none" })
    .all("/v2/", v2, { parse: "none" })
    .all("/v2/*", v2, { parse: "none" })
    .all("*", ({ request }) =>
      ociErrorResponse(404, "UNSUPPORTED", `${new URL(request.url).pathname} does not exist`),
    );
}

import type { RegistryError, RegistryErrorKind } from "../registry/registry-error.ts";
import { jsonResponse } from "../server/json-response.ts";
import { API_VERSION_HEADERS } from "./headers.ts";

/** The distribution spec's error codes ("Error Codes"), plus Distribution's pagination one. */
export type OciErrorCode =
  | "BLOB_UNKNOWN"
  | "BLOB_UPLOAD_INVALID"
  | "BLOB_UPLOAD_UNKNOWN"
  | "DIGEST_INVALID"
  | "MANIFEST_BLOB_UNKNOWN"
  | "MANIFEST_INVALID"
  | "MANIFEST_UNKNOWN"
  | "NAME_INVALID"
  | "NAME_UNKNOWN"
  | "SIZE_INVALID"
  | "UNAUTHORIZED"
  | "DENIED"
  | "UNSUPPORTED"
  | "TOOMANYREQUESTS"
  | "PAGINATION_NUMBER_INVALID"
  | "UNKNOWN"
  | "UNAVAILABLE";

/** The one table from registry failures to HTTP status and OCI error code. */
const ERROR_TABLE: Record<RegistryErrorKind, { status: number; code: OciErrorCode }> = {
  "name-invalid": { status: 400, code: "NAME_INVALID" },
  "name-unknown": { status: 404, code: "NAME_UNKNOWN" },
  // The spec has no tag code; Distribution and zot report a bad tag as an invalid manifest.
  "tag-invalid": { status: 400, code: "MANIFEST_INVALID" },
  "digest-invalid": { status: 400, code: "DIGEST_INVALID" },
  "digest-mismatch": { status: 400, code: "DIGEST_INVALID" },
  "blob-unknown": { status: 404, code: "BLOB_UNKNOWN" },
  "upload-unknown": { status: 404, code: "BLOB_UPLOAD_UNKNOWN" },
  "upload-invalid": { status: 400, code: "BLOB_UPLOAD_INVALID" },
  // Spec, "Pushing a blob in chunks": an out-of-order chunk gets 416.
  "upload-out-of-order": { status: 416, code: "BLOB_UPLOAD_INVALID" },
  "range-unsatisfiable": { status: 416, code: "SIZE_INVALID" },
  "manifest-unknown": { status: 404, code: "MANIFEST_UNKNOWN" },
  "manifest-invalid": { status: 400, code: "MANIFEST_INVALID" },
  "manifest-blob-unknown": { status: 400, code: "MANIFEST_BLOB_UNKNOWN" },
  // Spec, "Pushing Manifests": a registry refusing a large manifest (or any body) answers 413.
  "body-too-large": { status: 413, code: "SIZE_INVALID" },
  "size-invalid": { status: 400, code: "SIZE_INVALID" },
  "pagination-invalid": { status: 400, code: "PAGINATION_NUMBER_INVALID" },
  "body-stalled": { status: 408, code: "BLOB_UPLOAD_INVALID" },
  // The connection is gone, so the answer is for the log line more than for the client.
  "body-incomplete": { status: 400, code: "BLOB_UPLOAD_INVALID" },
  unsupported: { status: 405, code: "UNSUPPORTED" },
  denied: { status: 403, code: "DENIED" },
};

/** An OCI error body with the given status, code and message. */
export function ociErrorResponse(
  status: number,
  code: OciErrorCode,
  message: string,
  headers: Record<string, string> = {},
  detail?: unknown,
): Response {
  const error: Record<string, unknown> = { code, message };
  if (detail !== undefined) error.detail = detail;
  return jsonResponse(
    { errors: [error] },
    { status, headers: { ...API_VERSION_HEADERS, ...headers } },
  );
}

/** Turns a registry failure into the spec's error response, with the headers it calls for. */
export function registryErrorResponse(error: RegistryError): Response {
  const { status, code } = ERROR_TABLE[error.kind];
  const headers: Record<string, string> = {};
  const size = error.detail?.size;
  if (typeof size === "number") {
    if (error.kind === "upload-out-of-order") headers.Range = uploadRange(size);
    if (error.kind === "range-unsatisfiable") headers["Content-Range"] = `bytes */${size}`;
  }
  return ociErrorResponse(status, code, error.message, headers, error.detail);
}

/**
 * The Range header of an upload: the inclusive span received. An empty upload answers
 * `0-0` as Distribution and zot do; clients reject the arithmetic `0--1`.
 */
export function uploadRange(size: number): string {
  return `0-${Math.max(0, size - 1)}`;
}

/**
 * Why a registry operation was refused. Each kind maps to one OCI error code and HTTP status
 * in oci/errors.ts; the registry layer itself knows no HTTP.
 */
export type RegistryErrorKind =
  | "name-invalid"
  | "name-unknown"
  | "tag-invalid"
  | "digest-invalid"
  | "digest-mismatch"
  | "blob-unknown"
  | "upload-unknown"
  | "upload-invalid"
  | "upload-out-of-order"
  | "range-unsatisfiable"
  | "manifest-unknown"
  | "manifest-invalid"
  | "manifest-blob-unknown"
  | "body-too-large"
  | "size-invalid"
  | "pagination-invalid"
  | "body-stalled"
  | "body-incomplete"
  | "unsupported"
  | "denied";

/** A refusal the client caused and can act on, with a message that says what was wrong. */
export class RegistryError extends Error {
  constructor(
    readonly kind: RegistryErrorKind,
    message: string,
    /** Extra facts for the client: the current upload size, the blob size, the digest. */
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "RegistryError";
  }
}

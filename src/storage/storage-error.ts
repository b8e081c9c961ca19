/** Why a storage operation failed, in terms the registry layer can act on. */
export type StorageErrorKind =
  | "digest-mismatch"
  | "upload-missing"
  | "upload-damaged"
  | "length-mismatch";

/** A failure the storage layer understands; anything else is an I/O error passed through. */
export class StorageError extends Error {
  constructor(
    readonly kind: StorageErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "StorageError";
  }
}

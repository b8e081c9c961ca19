/** An inclusive byte range, as in an HTTP Range header. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * What is at a blob's path, looked at without following a symbolic link: nothing, a regular
 * file, or something else (a directory, a link, a FIFO, a socket, a device) named by `what`.
 */
export type BlobFileState =
  | { kind: "missing" }
  | { kind: "file"; size: number }
  | { kind: "not-a-file"; what: string };

/**
 * What hashing a stored blob's bytes found: nothing at its path, something other than a
 * regular file (named by `what`), or the file's digest in the blob's algorithm.
 */
export type StoredDigest =
  | { kind: "missing" }
  | { kind: "not-a-file"; what: string }
  | { kind: "hashed"; digest: string };

/**
 * Where blob bytes live. The registry layer owns what a blob means (which repository may read
 * it, when it may be deleted); a BlobStore only keeps bytes under their digest and promises
 * that a blob exists only after its digest was verified and its bytes are durable.
 *
 * Calls for one upload id must not overlap; the caller serialises them.
 */
export interface BlobStore {
  /** Size in bytes of a stored blob, or null when it is not stored. */
  size(digest: string): Promise<number | null>;
  /** What is at the blob's path, for fsck, which must never read or block on a non-file. */
  inspect(digest: string): Promise<BlobFileState>;
  /**
   * Hashes the bytes stored for `digest`, for fsck. What is at the path is opened without
   * following a symbolic link or waiting on a FIFO, and read only if it is a regular file,
   * so something put there since `inspect` looked can neither redirect nor block the read.
   */
  hashStored(digest: string): Promise<StoredDigest>;
  /** The blob's bytes, or one range of them, as a lazily read Blob. */
  read(digest: string, range?: ByteRange): Blob;
  /** Deletes a stored blob; deleting one that is not there is not an error. */
  remove(digest: string): Promise<void>;
  /**
   * The digest of every stored blob, for reconciling files with the database: regular files
   * at a blob's path only, found without following a symbolic link.
   */
  listBlobs(): AsyncIterable<string>;
  /**
   * Moves a stored blob whose bytes are damaged out of the blob tree, keeping them for an
   * operator to inspect; returns where they went. The digest then reads as not stored, so a
   * client pushing the same content again restores it.
   */
  quarantine(digest: string): Promise<string>;
  /** Files in the store's folders that are neither a blob nor an upload, for fsck. */
  listStrayFiles(): Promise<string[]>;

  /** Creates the empty file of a new upload. */
  startUpload(id: string): Promise<void>;
  /**
   * Writes `body` at `offset` of the upload and syncs it, returning the new size. If the body
   * fails half-way, or is not `expectedLength` bytes long when that is given, the upload is
   * cut back to `offset`, so a retry starts from a known point. The body's chunks may be lent
   * (`lentBodyChunks`, lent-chunks.ts): a chunk must be copied, written or taken before the
   * next one is asked for, and not kept after.
   */
  appendUpload(
    id: string,
    offset: number,
    body: AsyncIterable<Uint8Array>,
    expectedLength?: number,
  ): Promise<number>;
  /**
   * Checks that the upload's `size` bytes hash to `digest`, then moves them into place.
   * Throws a StorageError "digest-mismatch" when they do not.
   */
  commitUpload(id: string, size: number, digest: string): Promise<void>;
  /**
   * Cuts an upload back to its first `size` bytes: what a request wrote after them is
   * dropped when the database could not record it, so the bytes and the recorded size agree.
   */
  cutUpload(id: string, size: number): Promise<void>;
  /** Deletes an upload's bytes. */
  removeUpload(id: string): Promise<void>;
  /** Ids of every upload with bytes on disk, to find those the database forgot. */
  listUploads(): Promise<string[]>;
  /** How many bytes an upload holds on disk, or null when it has no file. */
  uploadSize(id: string): Promise<number | null>;
}

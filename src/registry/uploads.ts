import type { Actor } from "../audit/audit-log.ts";
import { linkBlob, recordBlob } from "../db/blobs.ts";
import { ensureRepository } from "../db/repositories.ts";
import {
  deleteUpload,
  findUpload,
  insertUpload,
  listUploadIds,
  listUploadsIdleSince,
  setUploadSize,
  type UploadRecord,
} from "../db/uploads.ts";
import type { ByteRange } from "../storage/blob-store.ts";
import { StorageError } from "../storage/storage-error.ts";
import type { RegistryContext } from "./context.ts";
import { parseDigest } from "./digest.ts";
import { KeyedLock } from "./keyed-lock.ts";
import { RegistryError } from "./registry-error.ts";

/** A request body, or null when the request had none. */
export type Body = AsyncIterable<Uint8Array> | null;

/** Where an upload stands: its id and how many bytes it holds. */
export interface UploadState {
  id: string;
  size: number;
}

/** A finished upload: the blob it became. */
export interface CommittedBlob {
  digest: string;
  size: number;
}

const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Blob upload sessions (spec: "Pushing blobs"). The session's size lives in SQLite and its
 * bytes in the blob store, so an upload survives a restart; requests to one session run one
 * at a time.
 */
export class UploadService {
  readonly #lock = new KeyedLock();

  constructor(private readonly context: RegistryContext) {}

  /** Opens an upload session for the repository. */
  async start(repository: string): Promise<UploadState> {
    const id = crypto.randomUUID();
    // Under the upload's lock, so the purge never sees the file without its row.
    await this.#lock.run(id, async () => {
      await this.context.store.startUpload(id);
      try {
        await this.context.groupCommit.run((trx) => insertUpload(trx, id, repository));
      } catch (error) {
        // A full database, say: the file must not outlive the row it was made for.
        await this.context.store.removeUpload(id);
        throw error;
      }
    });
    return { id, size: 0 };
  }

  /** How many bytes the session holds. */
  async status(repository: string, id: string): Promise<UploadState> {
    const upload = await this.#find(repository, id);
    return { id, size: upload.size };
  }

  /**
   * Appends a chunk. With a Content-Range, the chunk must start where the upload ends; a
   * chunk that does not is refused with the current size, so the client can resume.
   */
  async append(repository: string, id: string, body: Body, range: ByteRange | null) {
    return this.#lock.run(id, async () => {
      const upload = await this.#find(repository, id);
      if (range && range.start !== upload.size) {
        throw new RegistryError(
          "upload-out-of-order",
          `chunk starts at byte ${range.start} but the upload holds ${upload.size} bytes`,
          { size: upload.size },
        );
      }
      const length = range ? range.end - range.start + 1 : undefined;
      const size = await this.#write(upload, body, length);
      return { id, size } satisfies UploadState;
    });
  }

  /**
   * Appends an optional last chunk, checks the whole upload against `digestText` and turns
   * it into a blob of the repository. A mismatch discards the upload: nothing is kept.
   */
  async complete(
    repository: string,
    id: string,
    digestText: string | null,
    body: Body,
    actor: Actor,
  ) {
    const digest = requireDigest(digestText);
    return this.#lock.run(id, async () => {
      const upload = await this.#find(repository, id);
      const size = await this.#write(upload, body);
      // File and row appear together under the digest's lock: the garbage collector deletes
      // a file only under the same lock, and only when no row names it.
      await this.context.digestLocks.run(digest, async () => {
        try {
          await this.context.store.commitUpload(id, size, digest);
        } catch (error) {
          if (error instanceof StorageError && error.kind === "digest-mismatch") {
            await this.#discard(id);
            throw new RegistryError(
              "digest-mismatch",
              `${error.message}; the upload was discarded`,
            );
          }
          throw translate(error, id);
        }
        await this.context.groupCommit.run(async (trx) => {
          const target = await ensureRepository(trx, repository);
          await recordBlob(trx, digest, size);
          await linkBlob(trx, target.id, digest);
          await deleteUpload(trx, id);
          if (target.created) {
            await this.context.audit.recordWithin(trx, {
              type: "repository_created",
              actor,
              repository,
            });
          }
        });
      });
      return { digest, size } satisfies CommittedBlob;
    });
  }

  /** Uploads a whole blob in one request (POST with ?digest=). */
  async uploadWhole(repository: string, digestText: string | null, body: Body, actor: Actor) {
    const digest = requireDigest(digestText);
    const { id } = await this.start(repository);
    try {
      return await this.complete(repository, id, digest, body, actor);
    } catch (error) {
      // The client never learned this session's id, so nobody can resume it.
      await this.#lock.run(id, () => this.#discard(id));
      throw error;
    }
  }

  /** Cancels an upload and deletes its bytes. */
  async cancel(repository: string, id: string): Promise<void> {
    await this.#lock.run(id, async () => {
      await this.#find(repository, id);
      await this.#discard(id);
    });
  }

  /**
   * Deletes uploads idle for longer than `maxAgeSeconds`, and reconciles the two halves of
   * upload state: bytes with no database row, and rows whose bytes are gone. Returns how many
   * uploads it removed.
   */
  async purge(maxAgeSeconds: number, now = Date.now()): Promise<number> {
    const { db, store } = this.context;
    const expired = await listUploadsIdleSince(db, now - maxAgeSeconds * 1000);
    // Disk first: an upload started after this listing is not here, so not taken for an orphan.
    const known = new Set(await listUploadIds(db));
    const onDisk = new Set(await store.listUploads());
    const orphans = [...onDisk].filter((id) => !known.has(id));
    const hollow = [...known].filter((id) => !onDisk.has(id));

    const cutoff = now - maxAgeSeconds * 1000;
    let removed = 0;
    for (const id of new Set([...expired, ...orphans, ...hollow])) {
      if (this.#lock.isBusy(id)) continue;
      // The lists above were read at different moments; decide again under the lock, where
      // no request can be creating or writing this upload.
      const discarded = await this.#lock.run(id, async () => {
        const upload = await findUpload(db, id);
        if (upload && upload.updatedAt >= cutoff && onDisk.has(id)) return false;
        await this.#discard(id);
        return true;
      });
      if (discarded) removed++;
    }
    return removed;
  }

  async #find(repository: string, id: string): Promise<UploadRecord> {
    const upload = UPLOAD_ID.test(id) ? await findUpload(this.context.db, id) : null;
    if (!upload || upload.repository !== repository) {
      throw new RegistryError(
        "upload-unknown",
        `upload ${id} is not in progress in repository ${repository}`,
      );
    }
    return upload;
  }

  async #write(upload: UploadRecord, body: Body, expectedLength?: number): Promise<number> {
    if (body === null) {
      if (expectedLength) throw new RegistryError("upload-invalid", "Content-Range with no body");
      return upload.size;
    }
    let size: number;
    try {
      size = await this.context.store.appendUpload(upload.id, upload.size, body, expectedLength);
    } catch (error) {
      throw translate(error, upload.id);
    }
    if (size === upload.size) return size;
    try {
      await this.context.groupCommit.run((trx) => setUploadSize(trx, upload.id, size));
    } catch (error) {
      // A full database, say: the session stays at the size its row records, and the bytes
      // it could not record give their space back now rather than at the next chunk.
      await this.context.store.cutUpload(upload.id, upload.size).catch(() => {});
      throw error;
    }
    return size;
  }

  /**
   * Bytes first: when the disk is full, deleting the row may fail too, and the space must
   * come back anyway. A row left without its file reads as a lost upload (404) until the
   * purge removes it.
   */
  async #discard(id: string): Promise<void> {
    await this.context.store.removeUpload(id);
    await deleteUpload(this.context.db, id);
  }
}

function requireDigest(digestText: string | null): string {
  if (!digestText) {
    throw new RegistryError("digest-invalid", "the digest query parameter is required");
  }
  return parseDigest(digestText);
}

function translate(error: unknown, id: string): unknown {
  if (!(error instanceof StorageError)) return error;
  if (error.kind === "upload-missing") {
    return new RegistryError("upload-unknown", `upload ${id} has lost its data; start again`);
  }
  return new RegistryError("upload-invalid", error.message);
}

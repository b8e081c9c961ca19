import type { Actor } from "../audit/audit-log.ts";
import { findLinkedBlobSize, linkBlob, unlinkBlob } from "../db/blobs.ts";
import { ensureRepository, findRepositoryId } from "../db/repositories.ts";
import type { ByteRange } from "../storage/blob-store.ts";
import { parseRangeHeader } from "./byte-range.ts";
import type { RegistryContext } from "./context.ts";
import { parseDigest } from "./digest.ts";
import { RegistryError } from "./registry-error.ts";

/** A blob about to be sent: its full size, the range asked for, and the bytes. */
export interface BlobContent {
  digest: string;
  size: number;
  range: ByteRange | null;
  data: Blob;
}

/** Reading, deleting and mounting blobs of a repository. */
export class BlobService {
  constructor(private readonly context: RegistryContext) {}

  /**
   * The size of a blob readable in the repository. The file is checked too: metadata that
   * outlived its file must answer 404, not a 200 followed by a failed read.
   */
  async stat(repository: string, digestText: string): Promise<number> {
    const digest = parseDigest(digestText);
    const size = await this.#linkedSize(repository, digest);
    if (size === null || !(await this.#fileMatches(digest, size))) {
      throw new RegistryError("blob-unknown", `blob ${digest} is not in repository ${repository}`);
    }
    return size;
  }

  /** The blob's bytes, or the one range the Range header asks for. */
  async read(repository: string, digestText: string, rangeHeader: string | null) {
    const size = await this.stat(repository, digestText);
    const range = parseRangeHeader(rangeHeader, size);
    const content: BlobContent = {
      digest: digestText,
      size,
      range,
      data: this.context.store.read(digestText, range ?? undefined),
    };
    return content;
  }

  /** Unlinks a blob from the repository; its bytes stay until garbage collection. */
  async delete(repository: string, digestText: string, actor: Actor): Promise<void> {
    const digest = parseDigest(digestText);
    const repositoryId = await findRepositoryId(this.context.db, repository);
    if (repositoryId === null || !(await unlinkBlob(this.context.db, repositoryId, digest))) {
      throw new RegistryError("blob-unknown", `blob ${digest} is not in repository ${repository}`);
    }
    await this.context.audit.record({ type: "blob_deleted", actor, repository, digest });
  }

  /**
   * Links a blob readable in `from` into `repository` without copying it. Returns its size,
   * or null when `from` cannot provide it (the caller then opens an ordinary upload).
   */
  async mount(repository: string, digestText: string, from: string, actor: Actor) {
    const digest = parseDigest(digestText);
    const size = await this.#linkedSize(from, digest);
    if (size === null || !(await this.#fileMatches(digest, size))) return null;
    // The source link is checked again inside the transaction: garbage collection may have
    // removed it (and the blob) since it was read.
    const mounted = await this.context.groupCommit.run(async (trx) => {
      const source = await findRepositoryId(trx, from);
      if (source === null || (await findLinkedBlobSize(trx, source, digest)) === null) return false;
      const target = await ensureRepository(trx, repository);
      await linkBlob(trx, target.id, digest);
      if (target.created) {
        await this.context.audit.recordWithin(trx, {
          type: "repository_created",
          actor,
          repository,
        });
      }
      return true;
    });
    return mounted ? size : null;
  }

  async #linkedSize(repository: string, digest: string): Promise<number | null> {
    const repositoryId = await findRepositoryId(this.context.db, repository);
    if (repositoryId === null) return null;
    return findLinkedBlobSize(this.context.db, repositoryId, digest);
  }

  async #fileMatches(digest: string, size: number): Promise<boolean> {
    const onDisk = await this.context.store.size(digest);
    if (onDisk === size) return true;
    this.context.log.error("blob file missing or damaged", { digest, size, on_disk: onDisk });
    return false;
  }
}

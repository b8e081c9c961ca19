import { constants, existsSync, type Stats, statSync } from "node:fs";
import { type FileHandle, lstat, mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { BlobFileState, BlobStore, ByteRange, StoredDigest } from "./blob-store.ts";
import { makeFolderDurably, syncFile, syncFolder } from "./durable-files.ts";
import { hashFile } from "./hash-file.ts";
import { RunningHash } from "./hash-thread.ts";
import { isLent } from "./lent-chunks.ts";
import { StorageError } from "./storage-error.ts";
import { writeBody } from "./write-body.ts";

/**
 * The on-disk layout of blob content, below the data folder:
 *
 *     blobs/<algorithm>/<first two hex digits>/<hex>   verified content, never modified
 *     uploads/<upload id>                              bytes of an upload in progress
 *     quarantine/<algorithm>-<hex>.<epoch ms>          damaged blob bytes `mcr fsck` moved aside
 *
 * Both folders must be on one filesystem: an upload becomes a blob by rename(2), which is
 * atomic there and impossible across filesystems. A blob file appears only by that rename,
 * after its digest was checked and its bytes synced, and the blob folder is synced after.
 *
 * Below blobs/, MCR creates only real folders and regular files. A symbolic link there was
 * put by someone else: listing and deleting never follow one, so a repair can never delete a
 * file outside the data folder.
 */
export class FilesystemBlobStore implements BlobStore {
  readonly #blobsRoot: string;
  readonly #uploadsRoot: string;
  readonly #quarantineRoot: string;
  /** Running hashes of uploads, so finishing one does not read it back; lost on restart. */
  readonly #hashes = new Map<string, { size: number; hash: RunningHash }>();

  private constructor(dataDir: string) {
    this.#blobsRoot = join(dataDir, "blobs");
    this.#uploadsRoot = join(dataDir, "uploads");
    this.#quarantineRoot = join(dataDir, "quarantine");
  }

  /**
   * Opens the store in `dataDir`, creating its folders unless `create` is false (a check
   * that only reads). Throws when blobs/ and uploads/ are on different filesystems.
   */
  static async open(dataDir: string, options = { create: true }): Promise<FilesystemBlobStore> {
    const store = new FilesystemBlobStore(dataDir);
    if (options.create) {
      await mkdir(store.#blobsRoot, { recursive: true });
      await mkdir(store.#uploadsRoot, { recursive: true });
    } else if (!existsSync(store.#blobsRoot) || !existsSync(store.#uploadsRoot)) {
      return store;
    }
    const blobsDevice = statSync(store.#blobsRoot).dev;
    const uploadsDevice = statSync(store.#uploadsRoot).dev;
    if (blobsDevice !== uploadsDevice) {
      throw new Error(
        `${store.#blobsRoot} and ${store.#uploadsRoot} are on different filesystems; ` +
          "uploads become blobs by an atomic rename, so both must be on the same one",
      );
    }
    return store;
  }

  async size(digest: string): Promise<number | null> {
    try {
      return (await stat(this.#blobPath(digest))).size;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async inspect(digest: string): Promise<BlobFileState> {
    let found: Stats;
    try {
      found = await lstat(this.#blobPath(digest));
    } catch (error) {
      if (isMissing(error)) return { kind: "missing" };
      throw error;
    }
    if (found.isFile()) return { kind: "file", size: found.size };
    return { kind: "not-a-file", what: describeFileType(found) };
  }

  async hashStored(digest: string): Promise<StoredDigest> {
    const [algorithm] = splitDigest(digest);
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer for ever.
    const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
    let handle: FileHandle;
    try {
      handle = await open(this.#blobPath(digest), flags);
    } catch (error) {
      if (isMissing(error)) return { kind: "missing" };
      if ((error as NodeJS.ErrnoException)?.code === "ELOOP") {
        return { kind: "not-a-file", what: "a symbolic link" };
      }
      throw error;
    }
    try {
      const found = await handle.stat();
      if (!found.isFile()) return { kind: "not-a-file", what: describeFileType(found) };
      const hasher = await hashFile(handle.fd, algorithm, found.size);
      return { kind: "hashed", digest: `${algorithm}:${hasher.digest("hex")}` };
    } finally {
      await handle.close();
    }
  }

  read(digest: string, range?: ByteRange): Blob {
    const file = Bun.file(this.#blobPath(digest));
    return range ? file.slice(range.start, range.end + 1) : file;
  }

  async remove(digest: string): Promise<void> {
    const path = await this.#pathWithoutLinks(digest);
    if (path !== null) await rm(path, { force: true });
  }

  async *listBlobs(): AsyncIterable<string> {
    for (const algorithm of ["sha256", "sha512"]) {
      const root = join(this.#blobsRoot, algorithm);
      if (!(await isRealFolder(root))) continue;
      for (const prefix of await entriesOf(root)) {
        if (!prefix.isDirectory()) continue;
        for (const file of await entriesOf(join(root, prefix.name))) {
          const digest = `${algorithm}:${file.name}`;
          // Anything else in the folders is not MCR's to report or delete.
          if (file.isFile() && DIGEST.test(digest) && file.name.startsWith(prefix.name)) {
            yield digest;
          }
        }
      }
    }
  }

  async quarantine(digest: string): Promise<string> {
    const [algorithm, hex] = splitDigest(digest);
    const target = join(this.#quarantineRoot, `${algorithm}-${hex}.${Date.now()}`);
    const source = await this.#pathWithoutLinks(digest);
    if (source === null) throw new Error(`blob ${digest} has no file to quarantine`);
    await makeFolderDurably(this.#quarantineRoot);
    // A rename, never a copy and delete: the bytes stay exactly as they were found.
    await rename(source, target);
    await syncFolder(this.#quarantineRoot);
    await syncFolder(dirname(this.#blobPath(digest)));
    return target;
  }

  async listStrayFiles(): Promise<string[]> {
    const strays: string[] = [];
    const entries = (path: string) => readdir(path, { withFileTypes: true }).catch(() => []);
    for (const entry of await entries(this.#blobsRoot)) {
      const algorithmPath = join(this.#blobsRoot, entry.name);
      if (!entry.isDirectory() || !(entry.name === "sha256" || entry.name === "sha512")) {
        strays.push(algorithmPath);
        continue;
      }
      for (const prefix of await entries(algorithmPath)) {
        const prefixPath = join(algorithmPath, prefix.name);
        if (!prefix.isDirectory() || !/^[0-9a-f]{2}$/.test(prefix.name)) {
          strays.push(prefixPath);
          continue;
        }
        for (const file of await entries(prefixPath)) {
          const isBlob =
            file.isFile() &&
            DIGEST.test(`${entry.name}:${file.name}`) &&
            file.name.startsWith(prefix.name);
          if (!isBlob) strays.push(join(prefixPath, file.name));
        }
      }
    }
    for (const file of await entries(this.#uploadsRoot)) {
      if (!file.isFile() || !UPLOAD_ID.test(file.name))
        strays.push(join(this.#uploadsRoot, file.name));
    }
    return strays;
  }

  async startUpload(id: string): Promise<void> {
    const handle = await open(this.#uploadPath(id), "wx");
    await handle.close();
    this.#hashes.set(id, { size: 0, hash: RunningHash.start() });
  }

  async appendUpload(
    id: string,
    offset: number,
    body: AsyncIterable<Uint8Array>,
    expectedLength?: number,
  ): Promise<number> {
    const path = this.#uploadPath(id);
    const handle = await open(path, "r+").catch((error) => {
      throw isMissing(error)
        ? new StorageError("upload-missing", `upload ${id} has no data`)
        : error;
    });
    try {
      const state = await this.#hashStateAt(id, path, offset);
      try {
        let received = 0;
        const onChunk = (chunk: Uint8Array) => {
          received += chunk.length;
          // Stop a chunk that outgrows its announced length at once, not after writing it all.
          if (expectedLength !== undefined && received > expectedLength) {
            throw new StorageError(
              "length-mismatch",
              `the chunk was announced as ${expectedLength} bytes but carried more`,
            );
          }
        };
        const end = await writeBody(handle, offset, body, state.hash, isLent(body), onChunk);
        if (expectedLength !== undefined && end - offset !== expectedLength) {
          throw new StorageError(
            "length-mismatch",
            `the chunk was announced as ${expectedLength} bytes but carried ${end - offset}`,
          );
        }
        await handle.datasync();
        this.#hashes.set(id, { size: end, hash: state.hash });
        return end;
      } catch (error) {
        // Cut the upload back to where this request began, so its recorded size stays true.
        this.#forgetHash(id);
        await handle.truncate(offset).catch(() => {});
        throw error;
      }
    } finally {
      await handle.close();
    }
  }

  async commitUpload(id: string, size: number, digest: string): Promise<void> {
    const [algorithm, hex] = splitDigest(digest);
    const path = this.#uploadPath(id);
    const onDisk = await stat(path).catch((error) => {
      throw isMissing(error)
        ? new StorageError("upload-missing", `upload ${id} has no data`)
        : error;
    });
    if (onDisk.size < size) {
      throw new StorageError(
        "upload-damaged",
        `upload ${id} holds ${onDisk.size} bytes, not ${size}`,
      );
    }
    // Bytes past the recorded size were written by a request that never finished (the
    // server stopped between its write and its record), and the client was never told of
    // them: the upload is what was recorded, as a resumed append would find too.
    if (onDisk.size > size) await truncateFile(path, size);

    const running = this.#hashes.get(id);
    const actual =
      algorithm === "sha256" && running?.size === size && !running.hash.lost
        ? await running.hash.digest()
        : (await hashFile(path, algorithm, size)).digest("hex");
    if (actual !== hex) {
      throw new StorageError("digest-mismatch", `uploaded content does not match ${digest}`);
    }

    const target = this.#blobPath(digest);
    // The verified upload takes the place of whatever is there, even a file of the same size:
    // that file may hold damaged bytes (a disk error, a hand edit), and checking it would mean
    // hashing it again, while replacing it costs only the sync every new blob needs. The
    // rename is atomic, so a reader sees the old file or the new one, never a mix.
    await syncFile(path);
    await makeFolderDurably(dirname(target));
    await rename(path, target);
    await syncFolder(dirname(target));
    this.#forgetHash(id);
  }

  async cutUpload(id: string, size: number): Promise<void> {
    // The running hash covers the dropped bytes; the next append rebuilds it from the file.
    this.#forgetHash(id);
    await truncateFile(this.#uploadPath(id), size);
  }

  async removeUpload(id: string): Promise<void> {
    this.#forgetHash(id);
    await rm(this.#uploadPath(id), { force: true });
  }

  async listUploads(): Promise<string[]> {
    const files = await readdir(this.#uploadsRoot, { withFileTypes: true }).catch((error) => {
      if (isMissing(error)) return [];
      throw error;
    });
    return files.filter((file) => file.isFile() && UPLOAD_ID.test(file.name)).map((f) => f.name);
  }

  async uploadSize(id: string): Promise<number | null> {
    try {
      return (await stat(this.#uploadPath(id))).size;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  /** The running hash of the first `offset` bytes, re-read from disk when it was lost. */
  async #hashStateAt(id: string, path: string, offset: number) {
    const known = this.#hashes.get(id);
    if (known && known.size === offset && !known.hash.lost) return known;
    this.#forgetHash(id);

    const onDisk = (await stat(path)).size;
    if (onDisk < offset) {
      throw new StorageError("upload-damaged", `upload ${id} holds ${onDisk} bytes, not ${offset}`);
    }
    // Bytes past the recorded size were written by a request that never finished.
    if (onDisk > offset) await truncateFile(path, offset);
    const rebuilt = { size: offset, hash: await RunningHash.resume(path, offset) };
    this.#hashes.set(id, rebuilt);
    return rebuilt;
  }

  #forgetHash(id: string): void {
    this.#hashes.get(id)?.hash.forget();
    this.#hashes.delete(id);
  }

  /**
   * The blob's path once each level below blobs/ was found by lstat to be a real folder and
   * the blob a regular file; null when a level or the file is missing. Throws rather than
   * act through a symbolic link, or on a directory, a FIFO or a socket at the blob's path.
   */
  async #pathWithoutLinks(digest: string): Promise<string | null> {
    const path = this.#blobPath(digest);
    const algorithmFolder = dirname(dirname(path));
    for (const folder of [algorithmFolder, dirname(path)]) {
      const found = await lstat(folder).catch(ignoreMissing);
      if (found === null) return null;
      if (!found.isDirectory()) {
        throw new Error(`refusing to act through ${folder}: it is ${describeFileType(found)}`);
      }
    }
    const found = await lstat(path).catch(ignoreMissing);
    if (found === null) return null;
    if (!found.isFile()) {
      throw new Error(`refusing to act on ${path}: it is ${describeFileType(found)}`);
    }
    return path;
  }

  #blobPath(digest: string): string {
    const [algorithm, hex] = splitDigest(digest);
    return join(this.#blobsRoot, algorithm, hex.slice(0, 2), hex);
  }

  #uploadPath(id: string): string {
    if (!UPLOAD_ID.test(id)) throw new Error(`refusing malformed upload id ${JSON.stringify(id)}`);
    return join(this.#uploadsRoot, id);
  }
}

const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DIGEST = /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

/** Splits a digest the registry layer already validated; checked again before touching disk. */
function splitDigest(digest: string): ["sha256" | "sha512", string] {
  if (!DIGEST.test(digest)) throw new Error(`refusing malformed digest ${JSON.stringify(digest)}`);
  const [algorithm, hex] = digest.split(":") as ["sha256" | "sha512", string];
  return [algorithm, hex];
}

async function truncateFile(path: string, length: number): Promise<void> {
  const handle = await open(path, "r+");
  try {
    await handle.truncate(length);
  } finally {
    await handle.close();
  }
}

/** What a non-regular file is, in an operator's words. */
function describeFileType(found: Stats): string {
  if (found.isSymbolicLink()) return "a symbolic link";
  if (found.isDirectory()) return "a directory";
  if (found.isFIFO()) return "a FIFO";
  if (found.isSocket()) return "a socket";
  if (found.isBlockDevice() || found.isCharacterDevice()) return "a device";
  return found.isFile() ? "a regular file" : "not a regular file";
}

async function isRealFolder(path: string): Promise<boolean> {
  return (await lstat(path).catch(ignoreMissing))?.isDirectory() ?? false;
}

/** A folder's entries with their types as lstat sees them; none when it is gone. */
async function entriesOf(path: string) {
  return readdir(path, { withFileTypes: true }).catch(() => []);
}

function ignoreMissing(error: unknown): null {
  if (isMissing(error)) return null;
  throw error;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === "ENOENT";
}

/**
 * A running sha256 kept on the main thread, for an upload that began while many others were
 * in flight (see `FilesystemBlobStore.appendUpload`). It offers what the store asks of a
 * `RunningHash` held by a hashing thread, and is never lost.
 */
export class LocalHash {
  readonly #hasher = new Bun.CryptoHasher("sha256");

  readonly lost = false;

  /** Adds `bytes`, which the caller may reuse or free once this returns. */
  add(bytes: Uint8Array): void {
    this.#hasher.update(bytes);
  }

  /** The hex digest of everything added so far; the state stays and may take more. */
  async digest(): Promise<string> {
    return this.#hasher.copy().digest("hex");
  }

  /** Nothing to free in another thread. */
  forget(): void {}
}

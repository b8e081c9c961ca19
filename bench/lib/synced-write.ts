import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";

/**
 * Writes `mib` chunks of 1 MiB to a new file at `path` and fsyncs it; with `hash`, each chunk
 * is also fed to a sha256 first, as an upload's bytes are.
 */
export function writeWithFsync(
  path: string,
  mib: number,
  chunk: (i: number) => Uint8Array,
  hash: boolean,
): void {
  const hasher = new Bun.CryptoHasher("sha256");
  const fd = openSync(path, "w");
  try {
    for (let i = 0; i < mib; i++) {
      if (hash) hasher.update(chunk(i));
      writeSync(fd, chunk(i));
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Hashes the first `length` bytes of a file, reading it as a stream. `file` is its path, or
 * a descriptor the caller opened (and closes).
 */
export async function hashFile(
  file: string | number,
  algorithm: "sha256" | "sha512",
  length: number,
): Promise<Bun.CryptoHasher> {
  const hasher = new Bun.CryptoHasher(algorithm);
  if (length === 0) return hasher;
  // Two calls because Bun.file's overloads take a path or a descriptor, not a union of both.
  const source = typeof file === "number" ? Bun.file(file) : Bun.file(file);
  for await (const chunk of source.slice(0, length).stream()) hasher.update(chunk);
  return hasher;
}

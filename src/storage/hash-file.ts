/** Hashes the first `length` bytes of a file, reading it as a stream. */
export async function hashFile(
  path: string,
  algorithm: "sha256" | "sha512",
  length: number,
): Promise<Bun.CryptoHasher> {
  const hasher = new Bun.CryptoHasher(algorithm);
  if (length === 0) return hasher;
  for await (const chunk of Bun.file(path).slice(0, length).stream()) hasher.update(chunk);
  return hasher;
}

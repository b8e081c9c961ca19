/**
 * Password hashing with argon2id, Bun's defaults for memory and time cost. Verification is
 * slow on purpose (tens of milliseconds), which is why verified credentials are cached.
 */
export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, { algorithm: "argon2id" });
}

/** Checks a password against a stored argon2id hash. */
export function verifyPasswordHash(password: string, hash: string): Promise<boolean> {
  return Bun.password.verify(password, hash).catch(() => false);
}

/**
 * A hash to verify against when the account does not exist, so that an unknown username
 * costs the same time as a wrong password and usernames cannot be probed by timing.
 */
let decoyHash: Promise<string> | null = null;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword("decoy password that no account has");
  return decoyHash;
}

import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../log/logger.ts";
import { syncFile, syncFolder } from "../storage/durable-files.ts";
import type { AccountService } from "./account-service.ts";
import { newPassword } from "./secrets.ts";

/** The file, in the data folder, that holds a generated first admin password. */
export const ADMIN_PASSWORD_FILE = "admin-password";

/**
 * Keeps the embedded default a one-command start: on a database with no account, creates
 * `admin`. Its password is `suppliedPassword` (MCR_ADMIN_PASSWORD) when given; otherwise a
 * random one written to a 0600 file in the data folder. The log says where the file is; the
 * password itself is never logged.
 */
export async function ensureFirstAdmin(
  accounts: AccountService,
  dataDir: string,
  log: Logger,
  suppliedPassword?: string,
): Promise<void> {
  if ((await accounts.count()) > 0) return;
  if (suppliedPassword) {
    await accounts.create(
      { username: "admin", accountType: "human", roles: ["admin"], password: suppliedPassword },
      { name: "mcr", clientAddress: null },
    );
    log.info("created the first account, admin, with the password from MCR_ADMIN_PASSWORD");
    return;
  }
  const password = newPassword();
  const path = join(dataDir, ADMIN_PASSWORD_FILE);
  writeFileSync(path, `${password}\n`, { mode: 0o600 });
  // mode applies only to a new file; an old one keeps its permissions unless told.
  chmodSync(path, 0o600);
  // On disk before the account is: after a power cut, an admin whose password file came out
  // empty could never sign in, while a file without its account is simply made again.
  await syncFile(path);
  await syncFolder(dataDir);
  await accounts.create(
    { username: "admin", accountType: "human", roles: ["admin"], password },
    { name: "mcr", clientAddress: null },
  );
  log.warn(
    "created the first account, admin; its password is in a file readable only by this user",
    {
      username: "admin",
      password_file: path,
    },
  );
}

import { readFileSync } from "node:fs";
import { defineCommand } from "citty";
import { AuditLog } from "../audit/audit-log.ts";
import { AccountService } from "../auth/account-service.ts";
import { newPassword } from "../auth/secrets.ts";
import { TokenStore } from "../auth/token-store.ts";
import { openDatabase } from "../db/database.ts";
import { createLogger } from "../log/logger.ts";
import { FilesystemBlobStore } from "../storage/filesystem-store.ts";
import { prepareCommand } from "./command-config.ts";

/**
 * `mcr init`: creates the data folder, the database and the first admin account. The
 * password comes from --password-file, else MCR_ADMIN_PASSWORD, else it is generated and
 * printed once on standard output.
 */
export const initCommand = defineCommand({
  meta: { name: "init", description: "Create the data folder, database and first admin account" },
  args: {
    config: { type: "string", description: "TOML configuration file" },
    "data-dir": { type: "string", description: "Data folder (default ./data)" },
    username: { type: "string", description: "Admin username (default admin)" },
    "password-file": { type: "string", description: "File holding the admin password" },
  },
  run: async ({ args }) => {
    const config = prepareCommand("init", {
      file: args.config,
      flags: { "storage.data_dir": args["data-dir"] },
    });
    if (config.auth.provider !== "local") {
      return fail(`accounts live in the identity provider "${config.auth.provider}", not in MCR`);
    }

    const supplied = args["password-file"]
      ? readPasswordFile(args["password-file"])
      : process.env.MCR_ADMIN_PASSWORD;
    const password = supplied || newPassword();

    await FilesystemBlobStore.open(config.storage.dataDir);
    const metadata = openDatabase(config.database);
    try {
      const log = createLogger(config.log);
      const accounts = new AccountService(
        metadata.db,
        new TokenStore(metadata.db),
        new AuditLog(metadata.db, log),
      );
      if ((await accounts.count()) > 0) {
        return fail(`${config.database.path} already has accounts; nothing was changed`);
      }
      const username = args.username ?? "admin";
      await accounts
        .create(
          { username, accountType: "human", roles: ["admin"], password },
          { name: "mcr init", clientAddress: null },
        )
        .catch((error: Error) => fail(error.message));
      process.stderr.write(
        `mcr init: created ${config.storage.dataDir} with admin account ${username}\n`,
      );
      if (!supplied) process.stdout.write(`${password}\n`);
    } finally {
      await metadata.close();
    }
  },
});

function fail(message: string): never {
  process.stderr.write(`mcr init: ${message}\n`);
  process.exit(2);
}

function readPasswordFile(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (error) {
    return fail(
      `cannot read the password file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
}

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { defineCommand } from "citty";
import { AuditLog } from "../audit/audit-log.ts";
import { AccountService, checkPassword, checkUsername } from "../auth/account-service.ts";
import { newPassword } from "../auth/secrets.ts";
import { TokenStore } from "../auth/token-store.ts";
import { renderAnnotatedConfig, type TomlValue } from "../config/annotated-config.ts";
import type { Config } from "../config/config.ts";
import { openDatabase } from "../db/database.ts";
import { createLogger } from "../log/logger.ts";
import { FilesystemBlobStore } from "../storage/filesystem-store.ts";
import { prepareCommand } from "./command-config.ts";
import { InitReport } from "./init-report.ts";
import { defaultTlsHosts, ensureSelfSignedTls, type TlsFiles } from "./init-tls.ts";

/**
 * `mcr init`: a new installation in one step. It writes an annotated configuration file,
 * creates the data and snapshot folders (owner-only), optionally a self-signed TLS
 * certificate, the database, and the first admin account. Whatever already exists is left
 * as it is and reported, so running it again changes nothing and exits 0.
 *
 * The admin password comes from --password-file, else MCR_ADMIN_PASSWORD, else it is
 * generated and printed once on standard output (and only there).
 *
 * `--add-admin --username NAME` is the way back in when no admin can sign in (a forgotten
 * password): whoever may write the data folder adds a new admin to an existing database.
 */
export const initCommand = defineCommand({
  meta: {
    name: "init",
    description: "Set up a new installation: config, folders, database, admin",
  },
  args: {
    config: {
      type: "string",
      description:
        "TOML configuration file: read if it exists, else written (default <data-dir>/mcr.toml)",
    },
    "data-dir": { type: "string", description: "Data folder (default ./data)" },
    username: { type: "string", description: "Admin username (default admin)" },
    "password-file": { type: "string", description: "File holding the admin password" },
    "add-admin": {
      type: "boolean",
      description: "Add the admin --username to a database that has accounts (lost access)",
    },
    "tls-self-signed": {
      type: "boolean",
      description: "Also make a self-signed TLS certificate (a real CA's certificate is better)",
    },
    "tls-hosts": {
      type: "string",
      description: "Comma-separated names and addresses it covers (default this host, loopback)",
    },
  },
  run: async ({ args }) => {
    const report = new InitReport();
    const flags = { "storage.data_dir": args["data-dir"] };
    const selfSigned = args["tls-self-signed"] === true;

    // The admin's name and password are checked before anything is written, so that a
    // refused one leaves no config or database behind that lacks its admin.
    const admin = adminInput(args);

    // The data folder from flags and environment decides where a new config file goes.
    const early = prepareCommand("init", { flags, checkFiles: false });
    const configPath = resolve(args.config ?? join(early.storage.dataDir, "mcr.toml"));
    if (admin.add) {
      // A recovery touches nothing but the accounts: no config file, folder or certificate
      // is made for a registry that already runs from its own.
      const config = prepareCommand("init", {
        file: existsSync(configPath) ? configPath : undefined,
        flags,
        checkFiles: false,
      });
      if (!existsSync(config.database.path)) {
        fail(
          `no database at ${config.database.path}: --add-admin recovers access to an existing ` +
            "registry (pass its --config or --data-dir); without it, mcr init makes a new one",
        );
      }
      const password = await ensureAdmin(config, admin, report);
      if (password) process.stdout.write(`${password}\n`);
      return;
    }
    const defaultTls = {
      cert: join(early.storage.dataDir, "tls", "cert.pem"),
      key: join(early.storage.dataDir, "tls", "key.pem"),
    };
    const earlyDataDirExisted = existsSync(early.storage.dataDir);
    if (existsSync(configPath)) {
      report.kept(`config ${configPath}`);
    } else {
      writeConfig(configPath, early.storage.dataDir, selfSigned ? defaultTls : null);
      report.created(`config ${configPath} (every option listed, with its default)`);
    }
    // TLS files may be init's to make, so the loader must not insist on them yet.
    const config = prepareCommand("init", { file: configPath, flags, checkFiles: false });

    const dataDirExisted =
      config.storage.dataDir === early.storage.dataDir
        ? earlyDataDirExisted
        : existsSync(config.storage.dataDir);
    await ensureFolders(config, dataDirExisted, report);
    ensureTls(config, selfSigned, args["tls-hosts"], report);
    const password = await ensureAdmin(config, admin, report);

    if (report.changed) report.note(`start the registry with: mcr serve --config ${configPath}`);
    else report.note("everything already existed; nothing was changed");
    if (password) process.stdout.write(`${password}\n`);
  },
});

function writeConfig(path: string, dataDir: string, tls: TlsFiles | null): void {
  const values: Record<string, TomlValue> = { "storage.data_dir": dataDir };
  if (tls) {
    values["server.tls_cert"] = tls.cert;
    values["server.tls_key"] = tls.key;
  }
  const header = [
    `MCR configuration, written by mcr init on ${new Date().toISOString().slice(0, 10)}.`,
    `Start the registry with: mcr serve --config ${path}`,
  ].join("\n");
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderAnnotatedConfig(values, header), { mode: 0o600, flag: "wx" });
}

async function ensureFolders(config: Config, existed: boolean, report: InitReport) {
  const { dataDir } = config.storage;
  await FilesystemBlobStore.open(dataDir);
  if (existed) report.kept(`data folder ${dataDir}`);
  else report.created(`data folder ${dataDir} (owner-only)`);
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    report.note(
      `warning: ${dataDir} is open to other users (mode ${mode.toString(8)}); chmod 700 it`,
    );
  }

  if (!existsSync(config.snapshot.dir)) {
    mkdirSync(config.snapshot.dir, { recursive: true, mode: 0o700 });
    report.created(`snapshot folder ${config.snapshot.dir}`);
  }
}

function ensureTls(
  config: Config,
  selfSigned: boolean,
  hostList: string | undefined,
  report: InitReport,
): void {
  const { tlsCert, tlsKey } = config.server;
  if (selfSigned) {
    const { dataDir } = config.storage;
    const files = {
      cert: tlsCert ?? join(dataDir, "tls", "cert.pem"),
      key: tlsKey ?? join(dataDir, "tls", "key.pem"),
    };
    const hosts = hostList
      ? hostList
          .split(",")
          .map((host) => host.trim())
          .filter(Boolean)
      : defaultTlsHosts();
    ensureSelfSignedTls(files, hosts, report);
    if (!tlsCert || !tlsKey) {
      report.note(
        `to serve TLS, set server.tls_cert = "${files.cert}" and server.tls_key = "${files.key}"`,
      );
    }
    return;
  }
  for (const file of [tlsCert, tlsKey]) {
    if (file && !existsSync(file)) {
      report.note(`${file} does not exist yet: mcr serve will not start until it does`);
    }
  }
}

/** The first admin's name and the password supplied for it, if any; exits 2 when refused. */
function adminInput(args: {
  username?: string;
  "password-file"?: string;
  "add-admin"?: boolean;
}): AdminInput {
  const add = args["add-admin"] === true;
  if (add && !args.username) fail("--add-admin needs --username: the new admin's name");
  const username = args.username ?? "admin";
  const supplied = args["password-file"]
    ? readPasswordFile(args["password-file"])
    : process.env.MCR_ADMIN_PASSWORD;
  const source = args["password-file"] ? "the password file" : "MCR_ADMIN_PASSWORD";
  refuseUnless(() => checkUsername(username), "--username");
  if (supplied) refuseUnless(() => checkPassword(supplied), source);
  return { username, supplied: supplied || null, add };
}

/** Runs `check`; a refusal ends init with exit code 2, naming where the value came from. */
function refuseUnless(check: () => void, source: string): void {
  try {
    check();
  } catch (error) {
    fail(`${source}: ${(error as Error).message}; nothing was written`);
  }
}

interface AdminInput {
  username: string;
  /** From --password-file or MCR_ADMIN_PASSWORD; null means generate one. */
  supplied: string | null;
  /** --add-admin: create this admin even though the database has accounts (lost access). */
  add: boolean;
}

/** Creates the first admin when the database has no account; returns a generated password. */
async function ensureAdmin(
  config: Config,
  admin: AdminInput,
  report: InitReport,
): Promise<string | null> {
  const existed = existsSync(config.database.path);
  const metadata = openOrFail(config.database);
  try {
    if (!existed) report.created(`database ${config.database.path}`);
    else if (metadata.migrated.length > 0)
      report.updated(`database, migrations ${metadata.migrated.join(", ")}`);
    else report.kept(`database ${config.database.path}`);

    if (config.auth.provider !== "local") {
      report.note(`no admin account: identities come from auth.provider "${config.auth.provider}"`);
      return null;
    }
    const accounts = new AccountService(
      metadata.db,
      new TokenStore(metadata.db),
      new AuditLog(metadata.db, createLogger(config.log)),
    );
    if (!admin.add && (await accounts.count()) > 0) {
      report.note("the database already has accounts: no admin account was created");
      return null;
    }

    const { username, supplied } = admin;
    const password = supplied ?? newPassword();
    await accounts
      .create(
        { username, accountType: "human", roles: ["admin"], password },
        { name: "mcr init", clientAddress: null },
      )
      .catch((error: Error) => fail(error.message));
    report.created(`admin account ${username}${supplied ? "" : " (its password follows)"}`);
    return supplied ? null : password;
  } finally {
    await metadata.close();
  }
}

/** The database, or exit 2 with one line saying why it cannot be opened (newer, damaged). */
function openOrFail(options: Parameters<typeof openDatabase>[0]) {
  try {
    return openDatabase(options);
  } catch (error) {
    return fail(`${options.path}: ${(error as Error).message}; nothing was changed`);
  }
}

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

#!/usr/bin/env bun
import { type CommandDef, defineCommand, runMain } from "citty";
import { VERSION_TEXT } from "./build-info.ts";
import { unknownFlags } from "./cli/unknown-flags.ts";

/**
 * The roles whose flags citty parses; `mcr ctl` parses its own. Each role's module loads only
 * when it runs: `mcr serve` then carries no web pages or CLI client, which is memory it keeps
 * and objects every full collection of its heap would walk.
 */
const roles: Record<string, () => Promise<CommandDef>> = {
  serve: () => import("./cli/serve.ts").then((role) => role.serveCommand as CommandDef),
  init: () => import("./cli/init.ts").then((role) => role.initCommand as CommandDef),
  snapshot: () => import("./cli/snapshot.ts").then((role) => role.snapshotCommand as CommandDef),
  fsck: () => import("./cli/fsck.ts").then((role) => role.fsckCommand as CommandDef),
  web: () => import("./cli/web.ts").then((role) => role.webCommand as CommandDef),
  health: () => import("./cli/health.ts").then((role) => role.healthCommand as CommandDef),
  ctl: () => import("./cli/ctl/run-ctl.ts").then((role) => role.ctlEntryCommand as CommandDef),
};

/** The `mcr` executable: argv picks the role. */
const main = defineCommand({
  meta: {
    name: "mcr",
    version: VERSION_TEXT,
    description: "A self-hosted OCI container registry in one executable",
  },
  subCommands: roles,
});

const [, , roleName = "", ...roleArgv] = process.argv;

// `mcr ctl` reads its own command line: its help, usage errors and exit codes are its own.
if (roleName === "ctl") await (await import("./cli/ctl/run-ctl.ts")).runCtl(roleArgv);

const role = Object.hasOwn(roles, roleName) ? await roles[roleName]?.() : undefined;
if (role) {
  const args = role.args;
  const unknown = unknownFlags(
    (typeof args === "function" ? await args() : await args) ?? {},
    roleArgv,
  );
  if (unknown.length > 0) {
    process.stderr.write(
      `mcr ${roleName}: unknown option ${unknown.join(", ")} (see mcr ${roleName} --help)\n`,
    );
    process.exit(2);
  }
}

await runMain(main);

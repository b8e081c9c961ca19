#!/usr/bin/env bun
import { defineCommand, runMain } from "citty";
import { VERSION_TEXT } from "./build-info.ts";
import { ctlEntryCommand, runCtl } from "./cli/ctl/run-ctl.ts";
import { fsckCommand } from "./cli/fsck.ts";
import { healthCommand } from "./cli/health.ts";
import { initCommand } from "./cli/init.ts";
import { serveCommand } from "./cli/serve.ts";
import { snapshotCommand } from "./cli/snapshot.ts";
import { unknownFlags } from "./cli/unknown-flags.ts";
import { webCommand } from "./cli/web.ts";

/** The roles whose flags citty parses; `mcr ctl` parses its own. */
const roles = {
  serve: serveCommand,
  init: initCommand,
  snapshot: snapshotCommand,
  fsck: fsckCommand,
  web: webCommand,
  health: healthCommand,
};

/** The `mcr` executable: argv picks the role. */
const main = defineCommand({
  meta: {
    name: "mcr",
    version: VERSION_TEXT,
    description: "A self-hosted OCI container registry in one executable",
  },
  subCommands: { ...roles, ctl: ctlEntryCommand },
});

const [, , roleName = "", ...roleArgv] = process.argv;

// `mcr ctl` reads its own command line: its help, usage errors and exit codes are its own.
if (roleName === "ctl") await runCtl(roleArgv);

if (Object.hasOwn(roles, roleName)) {
  const args = roles[roleName as keyof typeof roles].args;
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

#!/usr/bin/env bun
import { defineCommand, runMain } from "citty";
import { VERSION_TEXT } from "./build-info.ts";
import { ctlEntryCommand, runCtl } from "./cli/ctl/run-ctl.ts";
import { healthCommand } from "./cli/health.ts";
import { initCommand } from "./cli/init.ts";
import { serveCommand } from "./cli/serve.ts";
import { snapshotCommand } from "./cli/snapshot.ts";
import { webCommand } from "./cli/web.ts";

/** The `mcr` executable: argv picks the role. */
const main = defineCommand({
  meta: {
    name: "mcr",
    version: VERSION_TEXT,
    description: "A self-hosted OCI container registry in one executable",
  },
  subCommands: {
    serve: serveCommand,
    init: initCommand,
    snapshot: snapshotCommand,
    web: webCommand,
    ctl: ctlEntryCommand,
    health: healthCommand,
  },
});

// `mcr ctl` reads its own command line: its help, usage errors and exit codes are its own.
if (process.argv[2] === "ctl") await runCtl(process.argv.slice(3));

await runMain(main);

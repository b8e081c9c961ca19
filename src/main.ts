#!/usr/bin/env bun
import { defineCommand, runMain } from "citty";
import packageJson from "../package.json" with { type: "json" };
import { initCommand } from "./cli/init.ts";
import { serveCommand } from "./cli/serve.ts";
import { snapshotCommand } from "./cli/snapshot.ts";
import { webCommand } from "./cli/web.ts";

/** The `mcr` executable: argv picks the role. */
const main = defineCommand({
  meta: {
    name: "mcr",
    version: packageJson.version,
    description: "A self-hosted OCI container registry in one executable",
  },
  subCommands: {
    serve: serveCommand,
    init: initCommand,
    snapshot: snapshotCommand,
    web: webCommand,
  },
});

await runMain(main);

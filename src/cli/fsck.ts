import { defineCommand } from "citty";
import { FsckRefusedError, openFsck } from "../fsck/open-fsck.ts";
import { prepareCommand } from "./command-config.ts";
import { type FsckRun, formatFsckJson, formatFsckText, remainingProblems } from "./fsck-report.ts";

/**
 * `mcr fsck`: checks the data folder against the metadata database. Exit 0 when nothing is
 * wrong (after --repair: when nothing is left), 1 when problems were found, 2 when it could
 * not run (bad flags or configuration, no data folder, --repair beside a running server).
 */
export const fsckCommand = defineCommand({
  meta: {
    name: "fsck",
    description: "Check blobs, manifests, tags and uploads; --repair removes crash leftovers",
  },
  args: {
    config: { type: "string", description: "TOML configuration file" },
    "data-dir": { type: "string", description: "Data folder (default ./data)" },
    json: { type: "boolean", description: "Print the report as JSON" },
    repair: {
      type: "boolean",
      description: "Remove leftovers and quarantine damaged blob files (needs serve stopped)",
    },
  },
  run: async ({ args }) => {
    const config = prepareCommand("fsck", {
      file: args.config,
      flags: { "storage.data_dir": args["data-dir"] },
    });
    const repair = args.repair === true;

    let opened: Awaited<ReturnType<typeof openFsck>>;
    try {
      opened = await openFsck(config, { repair });
    } catch (error) {
      if (!(error instanceof FsckRefusedError)) throw error;
      process.stderr.write(`mcr fsck: ${error.message}\n`);
      process.exit(2);
    }
    if (opened.servePid !== null) {
      process.stderr.write(
        `mcr fsck: mcr serve (pid ${opened.servePid}) is running; a push or collection in ` +
          "flight can show up as a problem: stop it for a definitive check\n",
      );
    }

    let run: FsckRun;
    try {
      const report = await opened.service.check();
      const repairs = repair ? await opened.service.repair(report.problems) : null;
      run = { dataDir: config.storage.dataDir, servePid: opened.servePid, report, repairs };
    } finally {
      await opened.close();
    }
    process.stdout.write(args.json ? formatFsckJson(run) : formatFsckText(run));
    process.exit(remainingProblems(run).length === 0 ? 0 : 1);
  },
});

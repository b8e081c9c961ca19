import { defineCommand } from "citty";
import { SnapshotService } from "../admin/snapshot-service.ts";
import { prepareCommand } from "./command-config.ts";

/**
 * `mcr snapshot`: a consistent copy of the metadata database, safe while `mcr serve` runs.
 * Prints the snapshot's path; old snapshots are pruned after snapshot.keep_days.
 */
export const snapshotCommand = defineCommand({
  meta: { name: "snapshot", description: "Copy the metadata database consistently, while serving" },
  args: {
    config: { type: "string", description: "TOML configuration file" },
    "data-dir": { type: "string", description: "Data folder (default ./data)" },
    dir: { type: "string", description: "Snapshot folder (default <data-dir>/snapshots)" },
  },
  run: async ({ args }) => {
    const config = prepareCommand("snapshot", {
      file: args.config,
      flags: { "storage.data_dir": args["data-dir"], "snapshot.dir": args.dir },
    });
    const service = new SnapshotService(
      {
        databasePath: config.database.path,
        dir: config.snapshot.dir,
        keepDays: config.snapshot.keepDays,
      },
      null,
    );
    try {
      const snapshot = await service.create({ name: "mcr snapshot", clientAddress: null });
      process.stdout.write(`${snapshot.path}\n`);
      for (const name of snapshot.pruned) process.stderr.write(`mcr snapshot: pruned ${name}\n`);
    } catch (error) {
      process.stderr.write(`mcr snapshot: ${(error as Error).message}\n`);
      process.exit(1);
    }
  },
});

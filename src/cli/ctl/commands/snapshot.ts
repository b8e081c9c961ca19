import { defineCtlCommand } from "../define-command.ts";
import { formatSize } from "../output/size.ts";

/**
 * `mcr ctl snapshot`: a consistent copy of the metadata database, written on the server's
 * disk (its snapshot folder); prints where, and which old snapshots were pruned.
 */
export const snapshotCommand = defineCtlCommand({
  meta: { name: "snapshot", description: "Copy the metadata database on the server's disk" },
  async run(_args, { client, out }) {
    const snapshot = await client.createSnapshot();
    out.result(snapshot, () => {
      const lines = [`snapshot written to ${snapshot.path} (${formatSize(snapshot.size)})`];
      if (snapshot.pruned.length > 0) lines.push(`pruned: ${snapshot.pruned.join(", ")}`);
      return lines.join("\n");
    });
  },
});

import { defineCtlCommand } from "../define-command.ts";
import { formatSize } from "../output/size.ts";
import { formatFields } from "../output/table.ts";
import { formatTime } from "../output/time.ts";
import { describeGcState } from "./gc-report.ts";
import { listAllRepositories } from "./repo.ts";

/**
 * `mcr ctl status`: whether the server answers, its version, what it stores and what the
 * garbage collector is doing. Storage is the sum of the repositories' sizes, so a blob two
 * repositories share counts twice.
 */
export const statusCommand = defineCtlCommand({
  meta: { name: "status", description: "Show health, version, repositories, storage, GC state" },
  async run(_args, { client, out }) {
    const health = await client.health();
    const [repositories, gc] = await Promise.all([listAllRepositories(client), client.gcStatus()]);
    const storage = repositories.reduce((sum, repository) => sum + repository.total_size, 0);

    out.result(
      {
        server: client.server,
        status: health.status,
        version: health.version,
        repository_count: repositories.length,
        storage_bytes: storage,
        gc,
      },
      () => {
        const last = gc.last?.finished_at;
        return formatFields([
          ["server", client.server],
          ["status", health.status],
          ["version", health.version],
          ["repositories", String(repositories.length)],
          ["storage", formatSize(storage)],
          ["gc", describeGcState(gc)],
          ["last gc", last ? formatTime(last, new Date()) : "never"],
        ]);
      },
    );
  },
});

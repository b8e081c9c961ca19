import type { AdminClient } from "../admin-client.ts";
import type { GcStatusJson } from "../admin-shapes.ts";
import { defineCtlCommand } from "../define-command.ts";
import type { Output } from "../output/output.ts";
import { describeGcReport, describeGcStatus } from "./gc-report.ts";

/** How often --wait asks how the collection is going. */
const POLL_MS = 250;

const statusCommand = defineCtlCommand({
  meta: { name: "status", description: "Show the collector's state and the last run's counts" },
  async run(_args, { client, out }) {
    const status = await client.gcStatus();
    out.result(status, () => describeGcStatus(status, new Date()));
  },
});

/**
 * `mcr ctl gc`: starts a garbage collection; with --wait, shows each phase on standard
 * error and prints the finished run's report. `gc status` only looks.
 */
export const gcCommand = defineCtlCommand({
  meta: { name: "gc", description: "Start a garbage collection (see also: gc status)" },
  args: {
    wait: { type: "boolean", description: "Show progress and wait until the collection ends" },
    reconcile: {
      type: "boolean",
      description: "Also delete files no row names and count rows whose file is missing",
    },
    grace: {
      type: "string",
      description: "This run's grace period instead of gc.grace_period (e.g. 0s on a full disk)",
    },
  },
  subCommands: { status: statusCommand },
  async run(args, { client, out }) {
    const started = await client.startGc({
      reconcile: Boolean(args.reconcile),
      ...(args.grace === undefined ? {} : { grace_period: args.grace }),
    });
    if (!args.wait) {
      out.result(started, () => "garbage collection started; `mcr ctl gc status` follows it");
      return;
    }

    const finished = await waitForCollection(client, started, out);
    const report = finished.last;
    out.result(finished, () =>
      report ? `garbage collection finished\n${describeGcReport(report, new Date())}` : "",
    );
  },
});

/** Polls until the collection `started` describes has ended, noting each new phase. */
async function waitForCollection(
  client: AdminClient,
  started: GcStatusJson,
  out: Output,
): Promise<GcStatusJson> {
  const ours = started.current?.started_at;
  let phase: string | null = null;
  let status = started;
  while (status.state === "running" && status.current?.started_at === ours) {
    if (status.phase && status.phase !== phase) {
      phase = status.phase;
      if (!out.json) out.note(`phase: ${phase}`);
    }
    await Bun.sleep(POLL_MS);
    status = await client.gcStatus();
  }
  return status;
}

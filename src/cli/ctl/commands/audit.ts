import { parseDuration } from "../../../config/duration.ts";
import type { AdminClient } from "../admin-client.ts";
import type { AuditEventJson, AuditQuery } from "../admin-shapes.ts";
import { defineCtlCommand } from "../define-command.ts";
import { UsageError } from "../errors.ts";
import { describeEvents, eventLine } from "./audit-format.ts";

/** How often --follow asks for new events. */
const FOLLOW_POLL_MS = 1000;

/** The most events one request returns; --n beyond this pages. */
const PAGE_LIMIT = 500;

const tailCommand = defineCtlCommand({
  meta: { name: "tail", description: "Show the latest audit events, oldest first" },
  args: {
    n: { type: "string", valueHint: "count", description: "How many events (default 20)" },
    "event-type": { type: "string", valueHint: "type", description: "Only this event type" },
    actor: { type: "string", valueHint: "who", description: "Only events by this actor" },
    repo: { type: "string", valueHint: "name", description: "Only events on this repository" },
    since: {
      type: "string",
      valueHint: "when",
      description: "Only events since a time (RFC 3339) or a duration ago (30m, 2h, 7d)",
    },
    follow: {
      type: "boolean",
      alias: "f",
      description: "Keep printing new events as they happen (--json: one JSON object a line)",
    },
  },
  async run(args, { client, out }) {
    const count = parseCount(args.n);
    const filters: AuditQuery = {
      event_type: args["event-type"],
      actor: args.actor,
      repository: args.repo,
      since: args.since === undefined ? undefined : parseSince(args.since, new Date()),
    };

    const events = (await latestEvents(client, filters, count)).reverse();
    if (!args.follow) {
      out.result({ events }, () => (events.length === 0 ? "no events" : describeEvents(events)));
      return;
    }
    const print = (event: AuditEventJson) => out.item(event, () => eventLine(event, new Date()));
    for (const event of events) print(event);
    await follow(client, filters, events.at(-1)?.id ?? 0, print);
  },
});

/** `mcr ctl audit`: the audit trail. */
export const auditCommand = {
  meta: { name: "audit", description: "Read the audit trail" },
  subCommands: { tail: tailCommand },
};

/** The newest `count` events matching `filters`, newest first, paging as needed. */
async function latestEvents(
  client: AdminClient,
  filters: AuditQuery,
  count: number,
): Promise<AuditEventJson[]> {
  const events: AuditEventJson[] = [];
  let before: number | undefined;
  while (events.length < count) {
    const limit = Math.min(PAGE_LIMIT, count - events.length);
    const page = await client.listAuditEvents({ ...filters, limit, before });
    events.push(...page.events);
    if (page.next_before === null || page.events.length === 0) break;
    before = page.next_before;
  }
  return events.slice(0, count);
}

/** Polls for events newer than `lastId` forever; the operator stops it with Ctrl-C. */
async function follow(
  client: AdminClient,
  filters: AuditQuery,
  lastId: number,
  print: (event: AuditEventJson) => void,
): Promise<never> {
  let newest = lastId;
  for (;;) {
    await Bun.sleep(FOLLOW_POLL_MS);
    const page = await client.listAuditEvents({ ...filters, limit: PAGE_LIMIT });
    const fresh = page.events.filter((event) => event.id > newest).reverse();
    for (const event of fresh) print(event);
    newest = fresh.at(-1)?.id ?? newest;
  }
}

function parseCount(text: string | undefined): number {
  if (text === undefined) return 20;
  if (!/^\d{1,6}$/.test(text) || Number(text) === 0) {
    throw new UsageError(`--n must be a whole number from 1, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** No audit event is older than this, so an earlier --since means "from the start". */
const EPOCH = new Date(0).toISOString();

/**
 * An RFC 3339 time as it is, or a duration (`2h`) as the instant that long ago; a duration
 * reaching back before 1970 (`999999999d`, past what a Date can hold) means all events.
 */
export function parseSince(text: string, now: Date): string {
  const seconds = parseDuration(text);
  if (seconds !== null) {
    const since = now.getTime() - seconds * 1000;
    return since > 0 ? new Date(since).toISOString() : EPOCH;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text))) {
    return new Date(Date.parse(text)).toISOString();
  }
  throw new UsageError(
    `--since must be an RFC 3339 time or a duration such as 30m, got ${JSON.stringify(text)}`,
  );
}

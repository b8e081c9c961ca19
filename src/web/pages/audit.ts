import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Elysia } from "elysia";
import { queryString } from "../format.ts";
import { html } from "../html.ts";
import { layout, notice } from "../layout.ts";
import { adminVisitOf, type WebDependencies } from "../visit.ts";
import { auditTable } from "./audit-table.ts";

const PAGE_SIZE = 50;

/** Suggestions for the event type filter: the kinds of event the registry records. */
const EVENT_TYPES = [
  "login_succeeded",
  "login_failed",
  "login_locked_out",
  "token_issued",
  "token_revoked",
  "repository_created",
  "manifest_pushed",
  "tag_moved",
  "manifest_deleted",
  "tag_deleted",
  "repository_deleted",
  "policy_denied",
  "policy_rule_created",
  "policy_rule_updated",
  "policy_rule_deleted",
  "account_created",
  "account_updated",
  "gc_started",
  "gc_completed",
  "snapshot_created",
];
const DAY_MS = 24 * 60 * 60 * 1000;

/** The audit log, newest first, filtered by type, actor, repository and dates, in pages. */
export function auditRoutes(deps: WebDependencies) {
  return new Elysia().get("/audit", async ({ request, query }) => {
    const visit = adminVisitOf(deps, request);
    const filters = {
      type: query.type ?? "",
      actor: query.actor ?? "",
      repository: query.repository ?? "",
      since: query.since ?? "",
      until: query.until ?? "",
    };
    const since = dayStart(filters.since);
    const until = dayStart(filters.until);
    const before = /^\d{1,18}$/.test(query.before ?? "") ? BigInt(query.before ?? 0) : 0n;

    const page = await visit.api.audit.listEvents({
      eventType: filters.type,
      actor: filters.actor,
      repository: filters.repository,
      since: since === null ? undefined : timestampFromMs(since),
      // The form's "until" day is included: stop at the start of the next day.
      until: until === null ? undefined : timestampFromMs(until + DAY_MS),
      before,
      limit: PAGE_SIZE,
    });
    const older =
      page.nextBefore !== undefined
        ? html`<p><a href="/audit${queryString({ ...filters, before: page.nextBefore })}">Older events</a></p>`
        : "";
    const badDate =
      (filters.since && since === null) || (filters.until && until === null)
        ? notice("error", "Dates are written YYYY-MM-DD.")
        : "";
    return layout(
      "Audit log",
      visit,
      html`${badDate}
<form class="filters" method="get" action="/audit">
  <label>Event type <input name="type" value="${filters.type}" list="event-types"></label>
  <datalist id="event-types">${EVENT_TYPES.map((type) => html`<option value="${type}">`)}</datalist>
  <label>Actor <input name="actor" value="${filters.actor}"></label>
  <label>Repository <input name="repository" value="${filters.repository}"></label>
  <label>Since <input name="since" type="date" value="${filters.since}"></label>
  <label>Until <input name="until" type="date" value="${filters.until}"></label>
  <button type="submit">Filter</button>
  <a class="button secondary" href="/audit">Clear</a>
</form>
${auditTable(page.events)}
${before ? html`<p><a href="/audit${queryString(filters)}">Newest events</a></p>` : ""}
${older}`,
    );
  });
}

/** Milliseconds at the start of a YYYY-MM-DD day (UTC), or null when it is not one. */
function dayStart(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(ms) ? null : ms;
}

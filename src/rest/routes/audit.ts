import { jsonResponse } from "../../server/json-response.ts";
import { ApiError } from "../api-error.ts";
import { requireAdmin } from "../caller.ts";
import { type RestApp, type RestDependencies, route } from "../context.ts";

/**
 * GET /v1/audit: events newest first, filtered by event_type, actor, repository, since and
 * until (RFC 3339 or milliseconds), paged with limit and before (the previous next_before).
 */
export function auditRoutes(app: RestApp, deps: RestDependencies) {
  return app.get(
    "/audit",
    route(deps, async (ctx) => {
      requireAdmin(await ctx.caller());
      const query = ctx.query;
      const page = await deps.audit.query({
        eventType: query.get("event_type") ?? undefined,
        actor: query.get("actor") ?? undefined,
        repository: query.get("repository") ?? undefined,
        since: time(query.get("since"), "since"),
        until: time(query.get("until"), "until"),
        before: whole(query.get("before"), "before"),
        limit: whole(query.get("limit"), "limit"),
      });
      return jsonResponse({
        events: page.events.map((event) => ({
          id: event.id,
          time: new Date(event.time).toISOString(),
          event_type: event.eventType,
          actor: event.actor,
          repository: event.repository,
          digest: event.digest,
          client_address: event.clientAddress,
          details: event.details,
        })),
        next_before: page.nextBefore,
      });
    }),
  );
}

function time(value: string | null, name: string): number | undefined {
  if (value === null || value === "") return undefined;
  const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
  const millis = /^\d+$/.test(value)
    ? Number(value)
    : rfc3339.test(value)
      ? Date.parse(value)
      : Number.NaN;
  if (Number.isNaN(millis))
    throw new ApiError(400, `${name} must be an RFC 3339 time or milliseconds`);
  return millis;
}

function whole(value: string | null, name: string): number | undefined {
  if (value === null || value === "") return undefined;
  if (!/^\d{1,12}$/.test(value)) throw new ApiError(400, `${name} must be a whole number`);
  return Number(value);
}

import type { AdminApi } from "../../api/admin-api.ts";
import { ApiError } from "../../api/api-error.ts";
import { jsonResponse } from "../../server/json-response.ts";
import { type RestApp, route } from "../context.ts";

/**
 * GET /v1/audit: events newest first, filtered by event_type, actor, repository, since and
 * until (RFC 3339 or milliseconds), paged with limit and before (the previous next_before).
 */
export function auditRoutes(app: RestApp, api: AdminApi) {
  return app.get(
    "/audit",
    route(api, async (ctx) => {
      const query = ctx.query;
      const page = await api.audit.list(await ctx.caller(), {
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
  if (Number.isNaN(millis)) {
    throw new ApiError("invalid-argument", `${name} must be an RFC 3339 time or milliseconds`);
  }
  return millis;
}

function whole(value: string | null, name: string): number | undefined {
  if (value === null || value === "") return undefined;
  if (!/^\d{1,12}$/.test(value)) {
    throw new ApiError("invalid-argument", `${name} must be a whole number`);
  }
  return Number(value);
}

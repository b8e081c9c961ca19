import type { JsonObject } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { AdminApi } from "../../api/admin-api.ts";
import type { AuditService } from "../../gen/mcr/v1/audit_pb.ts";
import { callerOf } from "../call-context.ts";
import { int64, millisOf, numberOf, optional, timestamp } from "../wire.ts";

/** mcr.v1.AuditService over the admin API. */
export function auditService(api: AdminApi): ServiceImpl<typeof AuditService> {
  return {
    async listEvents(request, context) {
      const page = await api.audit.list(callerOf(context), {
        eventType: request.eventType,
        actor: request.actor,
        repository: request.repository,
        since: millisOf(request.since),
        until: millisOf(request.until),
        before: numberOf(request.before),
        // Zero is proto3's "unset".
        limit: request.limit || undefined,
      });
      return {
        events: page.events.map((event) => ({
          id: int64(event.id),
          time: timestamp(event.time),
          eventType: event.eventType,
          actor: optional(event.actor),
          repository: optional(event.repository),
          digest: optional(event.digest),
          clientAddress: optional(event.clientAddress),
          details: (event.details ?? undefined) as JsonObject | undefined,
        })),
        nextBefore: page.nextBefore === null ? undefined : int64(page.nextBefore),
      };
    },
  };
}

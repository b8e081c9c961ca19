import type { ServiceImpl } from "@connectrpc/connect";
import type { AdminApi } from "../../api/admin-api.ts";
import type { AdminService } from "../../gen/mcr/v1/admin_pb.ts";
import { callerOf } from "../call-context.ts";
import { int64 } from "../wire.ts";

/** mcr.v1.AdminService over the admin API. */
export function adminService(api: AdminApi): ServiceImpl<typeof AdminService> {
  return {
    health: () => api.sessions.health(),
    createSnapshot: async (_request, context) => {
      const snapshot = await api.snapshots.create(callerOf(context));
      return { ...snapshot, size: int64(snapshot.size) };
    },
  };
}

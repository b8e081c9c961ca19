import type { ServiceImpl } from "@connectrpc/connect";
import type { AdminApi } from "../../api/admin-api.ts";
import type { AuthService } from "../../gen/mcr/v1/auth_pb.ts";
import { peerOf } from "../call-context.ts";
import { timestamp } from "../wire.ts";

/** mcr.v1.AuthService over the admin API. */
export function authService(api: AdminApi): ServiceImpl<typeof AuthService> {
  return {
    async login(request, context) {
      const session = await api.sessions.login(request.username, request.password, peerOf(context));
      return {
        token: session.token,
        expiresAt: timestamp(session.expiresAt),
        username: session.identity.username,
        roles: session.identity.roles,
      };
    },
    async logout(_request, context) {
      await api.sessions.logout(context.requestHeader.get("authorization"), peerOf(context));
      return {};
    },
  };
}

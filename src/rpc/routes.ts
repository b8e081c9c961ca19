import type { ConnectRouter } from "@connectrpc/connect";
import { AdminService } from "../gen/mcr/v1/admin_pb.ts";

/** What the RPC services adapt; the same services the REST API uses. */
export interface RpcDependencies {
  version: string;
}

/** Registers every Connect service on a router. Handlers hold no rules of their own. */
export function rpcRoutes(deps: RpcDependencies) {
  return (router: ConnectRouter) => {
    router.service(AdminService, {
      health: () => ({ status: "ok", version: deps.version }),
    });
  };
}

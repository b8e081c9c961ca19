import type { ConnectRouter } from "@connectrpc/connect";
import type { AdminApi } from "../api/admin-api.ts";
import { AccountService } from "../gen/mcr/v1/accounts_pb.ts";
import { AdminService } from "../gen/mcr/v1/admin_pb.ts";
import { AuditService } from "../gen/mcr/v1/audit_pb.ts";
import { AuthService } from "../gen/mcr/v1/auth_pb.ts";
import { PolicyService } from "../gen/mcr/v1/policy_pb.ts";
import { RegistryService } from "../gen/mcr/v1/registry_pb.ts";
import { accountService } from "./services/account-service.ts";
import { adminService } from "./services/admin-service.ts";
import { auditService } from "./services/audit-service.ts";
import { authService } from "./services/auth-service.ts";
import { policyService } from "./services/policy-service.ts";
import { registryService } from "./services/registry-service.ts";

/** Registers every Connect service; each only translates messages to and from the admin API. */
export function rpcRoutes(api: AdminApi) {
  return (router: ConnectRouter) => {
    router.service(AdminService, adminService(api));
    router.service(AuthService, authService(api));
    router.service(AccountService, accountService(api));
    router.service(PolicyService, policyService(api));
    router.service(AuditService, auditService(api));
    router.service(RegistryService, registryService(api));
  };
}

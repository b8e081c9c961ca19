import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { AdminApi } from "../../api/admin-api.ts";
import type { AccountRecord } from "../../db/accounts.ts";
import type { TokenRecord } from "../../db/tokens.ts";
import type { AccountSchema, AccountService, TokenSchema } from "../../gen/mcr/v1/accounts_pb.ts";
import { callerOf } from "../call-context.ts";
import { timestamp } from "../wire.ts";

/** mcr.v1.AccountService over the admin API. */
export function accountService(api: AdminApi): ServiceImpl<typeof AccountService> {
  return {
    async listAccounts(_request, context) {
      return { accounts: (await api.accounts.list(callerOf(context))).map(accountMessage) };
    },
    async createAccount(request, context) {
      const account = await api.accounts.create(callerOf(context), {
        username: request.username,
        accountType: request.accountType,
        roles: request.roles,
        password: request.password,
      });
      return { account: accountMessage(account) };
    },
    async disableAccount(request, context) {
      await api.accounts.setDisabled(callerOf(context), request.username, true);
      return {};
    },
    async enableAccount(request, context) {
      await api.accounts.setDisabled(callerOf(context), request.username, false);
      return {};
    },
    async setPassword(request, context) {
      await api.accounts.setPassword(callerOf(context), request.username, request.password);
      return {};
    },
    async listTokens(request, context) {
      const tokens = await api.accounts.listTokens(callerOf(context), request.username);
      return { tokens: tokens.map(tokenMessage) };
    },
    async createToken(request, context) {
      const issued = await api.accounts.createToken(callerOf(context), request.username, {
        description: request.description,
        ttl: request.ttl,
      });
      return { id: issued.id, token: issued.secret, expiresAt: timestamp(issued.expiresAt) };
    },
    async revokeToken(request, context) {
      await api.accounts.revokeToken(callerOf(context), request.username, request.id);
      return {};
    },
  };
}

function accountMessage(account: AccountRecord): MessageInitShape<typeof AccountSchema> {
  return {
    id: account.id,
    username: account.username,
    accountType: account.accountType,
    roles: account.roles,
    disabled: account.disabled,
    createdAt: timestamp(account.createdAt),
  };
}

function tokenMessage(token: TokenRecord): MessageInitShape<typeof TokenSchema> {
  return {
    id: token.id,
    kind: token.kind,
    description: token.description,
    createdAt: timestamp(token.createdAt),
    expiresAt: timestamp(token.expiresAt),
    revoked: token.revokedAt !== null,
  };
}

import { Elysia } from "elysia";
import type { Account } from "../../gen/mcr/v1/accounts_pb.ts";
import { refusalMessage } from "../api-errors.ts";
import { formatTime, listField } from "../format.ts";
import { html } from "../html.ts";
import { layout, notice } from "../layout.ts";
import { htmlResponse, redirectTo } from "../responses.ts";
import { adminVisitOf, checkedForm, type Visit, type WebDependencies } from "../visit.ts";
import { accountTokenRoutes } from "./account-tokens.ts";

/** The local provider's accounts: list, create, disable and enable. */
export function accountRoutes(deps: WebDependencies) {
  const listPage = async (visit: Visit, error: string | null, status = 200) => {
    const { accounts } = await visit.api.accounts.listAccounts({});
    return htmlResponse(
      layout(
        "Accounts",
        visit,
        html`${notice("error", error)}
${accountTable(visit, accounts)}
<h2>New account</h2>
<form class="panel" method="post" action="/accounts">
  ${visit.csrf}
  <label>Username <input name="username" required></label>
  <label>Type <select name="account_type"><option value="human">human</option><option value="system">system</option></select></label>
  <label>Roles <input name="roles" placeholder="admin, developer"></label>
  <label>Password (human accounts) <input name="password" type="password" autocomplete="new-password"></label>
  <button type="submit">Create account</button>
</form>`,
      ),
      status,
    );
  };

  return new Elysia()
    .use(accountTokenRoutes(deps))
    .get("/accounts", ({ request }) => listPage(adminVisitOf(deps, request), null))
    .post("/accounts", async ({ request, body }) => {
      const visit = adminVisitOf(deps, request);
      const form = checkedForm(visit, request, body);
      const accountType = form.account_type === "system" ? "system" : "human";
      try {
        await visit.api.accounts.createAccount({
          username: form.username ?? "",
          accountType,
          roles: listField(form.roles),
          password: accountType === "human" ? (form.password ?? "") : undefined,
        });
      } catch (error) {
        return listPage(visit, refusalMessage(error), 400);
      }
      return redirectTo("/accounts");
    })
    .post("/accounts/:username/:change", async ({ request, body, params }) => {
      const visit = adminVisitOf(deps, request);
      checkedForm(visit, request, body);
      const username = params.username;
      if (params.change === "disable") await visit.api.accounts.disableAccount({ username });
      if (params.change === "enable") await visit.api.accounts.enableAccount({ username });
      return redirectTo("/accounts", { htmx: visit.htmx });
    });
}

function accountTable(visit: Visit, accounts: Account[]) {
  const rows = accounts.map((account) => {
    const change = account.disabled ? "enable" : "disable";
    const path = `/accounts/${encodeURIComponent(account.username)}`;
    return html`<tr>
  <td><a href="${path}">${account.username}</a></td>
  <td><code>${account.id}</code></td>
  <td>${account.accountType}</td>
  <td>${account.roles.join(", ") || "—"}</td>
  <td><span class="badge ${account.disabled ? "disabled" : "enabled"}">${account.disabled ? "disabled" : "active"}</span></td>
  <td>${formatTime(account.createdAt)}</td>
  <td><form class="inline" method="post" action="${path}/${change}">${visit.csrf}
    <button type="submit" class="secondary">${account.disabled ? "Enable" : "Disable"}</button></form></td>
</tr>`;
  });
  return html`<table><thead><tr><th>Username</th><th>Id (for policy subjects)</th><th>Type</th><th>Roles</th><th>State</th>
<th>Created</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

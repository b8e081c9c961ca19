import { Elysia } from "elysia";
import type { Token } from "../../gen/mcr/v1/accounts_pb.ts";
import { refusalMessage } from "../api-errors.ts";
import { formatTime } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import { layout, notice } from "../layout.ts";
import { htmlResponse, redirectTo } from "../responses.ts";
import { adminVisitOf, checkedForm, type Visit, type WebDependencies } from "../visit.ts";
import { confirmPage } from "./confirm.ts";

/** One account's API tokens (issue, revoke) and its password. */
export function accountTokenRoutes(deps: WebDependencies) {
  const accountPage = async (visit: Visit, username: string, top: SafeHtml, status = 200) => {
    const { tokens } = await visit.api.accounts.listTokens({ username });
    const path = accountPath(username);
    return htmlResponse(
      layout(
        `Account ${username}`,
        visit,
        html`<p><a href="/accounts">← Accounts</a></p>
${top}
<h2>Tokens</h2>
${tokenTable(username, tokens)}
<h2>New API token</h2>
<form class="panel" method="post" action="${path}/tokens">
  ${visit.csrf}
  <label>Description <input name="description" required></label>
  <label>Lifetime <input name="ttl" placeholder="90d (empty: never expires)"></label>
  <button type="submit">Issue token</button>
</form>
<h2>Password</h2>
<form class="panel" method="post" action="${path}/password">
  ${visit.csrf}
  <label>New password <input name="password" type="password" autocomplete="new-password" required></label>
  <button type="submit">Set password</button>
</form>`,
      ),
      status,
    );
  };

  return new Elysia()
    .get("/accounts/:username", ({ request, params }) =>
      accountPage(adminVisitOf(deps, request), params.username, html``),
    )
    .post("/accounts/:username/tokens", async ({ request, body, params }) => {
      const visit = adminVisitOf(deps, request);
      const form = checkedForm(visit, request, body);
      try {
        const issued = await visit.api.accounts.createToken({
          username: params.username,
          description: form.description ?? "",
          ttl: form.ttl ?? "",
        });
        // The only secret any page shows, once: the API returns it here and nowhere else.
        const shown = html`<section class="panel">
  <p class="notice info" role="status">Token issued. Copy it now: it is not shown again.</p>
  <p class="secret" id="new-token">${issued.token}</p>
</section>`;
        return accountPage(visit, params.username, shown);
      } catch (error) {
        return accountPage(visit, params.username, notice("error", refusalMessage(error)), 400);
      }
    })
    .post("/accounts/:username/password", async ({ request, body, params }) => {
      const visit = adminVisitOf(deps, request);
      const form = checkedForm(visit, request, body);
      try {
        await visit.api.accounts.setPassword({
          username: params.username,
          password: form.password ?? "",
        });
        return accountPage(visit, params.username, notice("info", "Password changed."));
      } catch (error) {
        return accountPage(visit, params.username, notice("error", refusalMessage(error)), 400);
      }
    })
    .get("/accounts/:username/tokens/:id/revoke", ({ request, params }) => {
      const visit = adminVisitOf(deps, request);
      return confirmPage(visit, {
        title: "Revoke token",
        question: `Revoke token ${params.id} of ${params.username}? Clients using it stop working.`,
        action: `${accountPath(params.username)}/tokens/${encodeURIComponent(params.id)}/revoke`,
        fields: {},
        back: accountPath(params.username),
        verb: "Revoke",
      });
    })
    .post("/accounts/:username/tokens/:id/revoke", async ({ request, body, params }) => {
      const visit = adminVisitOf(deps, request);
      checkedForm(visit, request, body);
      await visit.api.accounts.revokeToken({ username: params.username, id: params.id });
      return redirectTo(accountPath(params.username));
    });
}

function tokenTable(username: string, tokens: Token[]) {
  if (tokens.length === 0) return html`<p class="muted">No tokens.</p>`;
  const rows = tokens.map(
    (token) => html`<tr>
  <td><code>${token.id}</code></td>
  <td>${token.kind}</td>
  <td>${token.description}</td>
  <td>${formatTime(token.createdAt)}</td>
  <td>${token.expiresAt ? formatTime(token.expiresAt) : "never"}</td>
  <td>${token.revoked ? html`<span class="badge disabled">revoked</span>` : html`<a class="button secondary" href="${accountPath(username)}/tokens/${encodeURIComponent(token.id)}/revoke">Revoke</a>`}</td>
</tr>`,
  );
  return html`<table><thead><tr><th>Id</th><th>Kind</th><th>Description</th><th>Created</th>
<th>Expires</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

function accountPath(username: string): string {
  return `/accounts/${encodeURIComponent(username)}`;
}

import { Code, ConnectError } from "@connectrpc/connect";
import { Elysia } from "elysia";
import type { AuditEvent } from "../../gen/mcr/v1/audit_pb.ts";
import type { RepositorySummary } from "../../gen/mcr/v1/registry_pb.ts";
import type { ApiClients } from "../api-client.ts";
import { formatBytes, formatTime } from "../format.ts";
import { html } from "../html.ts";
import { layout } from "../layout.ts";
import { dataTable, repositoryLink } from "../links.ts";
import { visitOf, type WebDependencies } from "../visit.ts";
import { auditTable } from "./audit-table.ts";

/** Repositories the dashboard adds up before it says "at least". */
const DASHBOARD_PAGE_SIZE = 1000;
const RECENT_EVENTS = 10;

/** The first page: what is stored, how much, and what happened last. */
export function dashboardRoutes(deps: WebDependencies) {
  return new Elysia().get("/", async ({ request }) => {
    const visit = visitOf(deps, request);
    if (!visit.isAdmin) {
      return layout(
        "Dashboard",
        visit,
        html`<p>You are signed in as <strong>${visit.session.username}</strong>.</p>
<p>The registry's contents, its policy and its audit trail are shown to administrators
only. You can pull the repositories the access policy allows you, from
<code>${deps.registryHost}</code>; ask an administrator which.</p>`,
      );
    }

    const [page, events] = await Promise.all([
      visit.api.registry.listRepositories({ pageSize: DASHBOARD_PAGE_SIZE }),
      recentEvents(visit.api),
    ]);
    const repositories = page.repositories;
    const totalSize = repositories.reduce((sum, repository) => sum + repository.totalSize, 0n);
    const more = page.nextLast !== undefined ? "+" : "";
    const latest = [...repositories]
      .filter((repository) => repository.lastPush)
      .sort((a, b) => Number((b.lastPush?.seconds ?? 0n) - (a.lastPush?.seconds ?? 0n)))
      .slice(0, 5);

    return layout(
      "Dashboard",
      visit,
      html`<div class="cards">
  <div><span class="muted">Repositories</span><strong>${repositories.length}${more}</strong></div>
  <div><span class="muted">Total size</span><strong>${formatBytes(totalSize)}</strong></div>
  <div><span class="muted">Tags</span><strong>${sum(repositories, "tagCount")}</strong></div>
</div>
<h2>Latest pushes</h2>
${latestPushes(latest)}
<h2>Recent activity</h2>
${events === null ? html`<p class="muted">The audit log is not available.</p>` : auditTable(events)}
<p><a href="/audit">The whole audit log</a></p>`,
    );
  });
}

function sum(repositories: RepositorySummary[], field: "tagCount" | "manifestCount"): string {
  return String(repositories.reduce((total, repository) => total + repository[field], 0n));
}

function latestPushes(repositories: RepositorySummary[]) {
  if (repositories.length === 0) {
    return html`<p class="muted">Nothing has been pushed yet.</p>`;
  }
  const rows = repositories.map(
    (repository) => html`<tr>
  <td>${repositoryLink(repository.name)}</td>
  <td class="number">${formatBytes(repository.totalSize)}</td>
  <td>${formatTime(repository.lastPush)}</td>
</tr>`,
  );
  return dataTable(["Repository", "#Size", "Last push"], rows);
}

/** The latest events, or null when the caller may not read the audit log. */
async function recentEvents(api: ApiClients): Promise<AuditEvent[] | null> {
  try {
    return (await api.audit.listEvents({ limit: RECENT_EVENTS })).events;
  } catch (error) {
    if (ConnectError.from(error).code === Code.PermissionDenied) return null;
    throw error;
  }
}

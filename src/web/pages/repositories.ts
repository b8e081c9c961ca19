import { Code, ConnectError } from "@connectrpc/connect";
import { Elysia } from "elysia";
import type { RepositorySummary } from "../../gen/mcr/v1/registry_pb.ts";
import { formatBytes, formatTime, queryString } from "../format.ts";
import { html } from "../html.ts";
import { layout, notice } from "../layout.ts";
import { repositoryLink } from "../links.ts";
import { visitOf, type WebDependencies } from "../visit.ts";

/** Repositories asked for per page; a filter looks through this many names at a time. */
const PAGE_SIZE = 1000;

/** The list of repositories with sizes and last pushes, filtered by a part of the name. */
export function repositoriesRoutes(deps: WebDependencies) {
  return new Elysia().get("/repositories", async ({ request, query }) => {
    const visit = visitOf(deps, request);
    const filter = (query.q ?? "").trim();
    const last = query.last ?? "";

    let page: { repositories: RepositorySummary[]; nextLast?: string };
    try {
      page = await visit.api.registry.listRepositories({ pageSize: PAGE_SIZE, last });
    } catch (error) {
      if (ConnectError.from(error).code !== Code.PermissionDenied) throw error;
      return layout(
        "Repositories",
        visit,
        notice(
          "error",
          "The registry's admin API lists repositories for administrators only. You can pull " +
            "the repositories the access policy allows you; ask an administrator which.",
        ),
      );
    }

    const shown = page.repositories.filter((repository) => repository.name.includes(filter));
    const next = page.nextLast
      ? html`<p><a href="/repositories${queryString({ q: filter, last: page.nextLast })}">
  Next page</a></p>`
      : "";
    return layout(
      "Repositories",
      visit,
      html`<form class="filters" method="get" action="/repositories"
  hx-get="/repositories" hx-trigger="input changed delay:300ms from:#filter, submit"
  hx-target="#repository-list" hx-select="#repository-list" hx-swap="outerHTML" hx-push-url="true">
  <label>Name contains <input id="filter" name="q" value="${filter}" type="search"></label>
  <button type="submit">Filter</button>
</form>
<div id="repository-list">${repositoryTable(shown)}${next}</div>`,
    );
  });
}

function repositoryTable(repositories: RepositorySummary[]) {
  if (repositories.length === 0) return html`<p class="muted">No repositories.</p>`;
  const rows = repositories.map(
    (repository) => html`<tr>
  <td>${repositoryLink(repository.name)}</td>
  <td class="number">${String(repository.tagCount)}</td>
  <td class="number">${String(repository.manifestCount)}</td>
  <td class="number">${formatBytes(repository.totalSize)}</td>
  <td>${formatTime(repository.lastPush)}</td>
</tr>`,
  );
  return html`<table><thead><tr><th>Name</th><th class="number">Tags</th>
<th class="number">Manifests</th><th class="number">Size</th><th>Last push</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

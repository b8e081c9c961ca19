import { Elysia } from "elysia";
import type { Repository } from "../../gen/mcr/v1/registry_pb.ts";
import { formatBytes, formatTime, queryString } from "../format.ts";
import { html } from "../html.ts";
import { layout } from "../layout.ts";
import { dataTable, manifestLink } from "../links.ts";
import { redirectTo } from "../responses.ts";
import { adminVisitOf, checkedForm, visitOf, type WebDependencies } from "../visit.ts";
import { confirmPage } from "./confirm.ts";
import { manifestKind } from "./manifest-kind.ts";

/** A repository's tags and manifests, and deleting it, a tag or a manifest. */
export function repositoryRoutes(deps: WebDependencies) {
  return new Elysia()
    .get("/repository", async ({ request, query }) => {
      const visit = visitOf(deps, request);
      const name = query.name ?? "";
      const { repository } = await visit.api.registry.getRepository({ name });
      return layout(name, visit, repositoryContent(repository, visit.isAdmin));
    })
    .get("/repository/delete", ({ request, query }) => {
      const visit = adminVisitOf(deps, request);
      const name = query.name ?? "";
      return confirmPage(visit, {
        title: "Delete repository",
        question: `Delete the repository ${name} with all its tags and manifests?`,
        action: "/repository/delete",
        fields: { name },
        back: `/repository${queryString({ name })}`,
      });
    })
    .post("/repository/delete", async ({ request, body }) => {
      const visit = adminVisitOf(deps, request);
      const form = checkedForm(visit, request, body);
      await visit.api.registry.deleteRepository({ name: form.name ?? "" });
      return redirectTo("/repositories", { htmx: visit.htmx });
    })
    .get("/tag/delete", ({ request, query }) => {
      const visit = adminVisitOf(deps, request);
      const name = query.name ?? "";
      const tag = query.tag ?? "";
      return confirmPage(visit, {
        title: "Delete tag",
        question: `Delete the tag ${name}:${tag}? The manifest stays.`,
        action: "/tag/delete",
        fields: { name, tag },
        back: `/repository${queryString({ name })}`,
      });
    })
    .post("/tag/delete", async ({ request, body }) => {
      const visit = adminVisitOf(deps, request);
      const form = checkedForm(visit, request, body);
      const name = form.name ?? "";
      await visit.api.registry.deleteTag({ name, tag: form.tag ?? "" });
      return redirectTo(`/repository${queryString({ name })}`, { htmx: visit.htmx });
    })
    .get("/manifest/delete", ({ request, query }) => {
      const visit = adminVisitOf(deps, request);
      const name = query.name ?? "";
      const digest = query.digest ?? "";
      return confirmPage(visit, {
        title: "Delete manifest",
        question: `Delete the manifest ${name}@${digest} and the tags that point at it?`,
        action: "/manifest/delete",
        fields: { name, digest },
        back: `/manifest${queryString({ name, digest })}`,
      });
    })
    .post("/manifest/delete", async ({ request, body }) => {
      const visit = adminVisitOf(deps, request);
      const form = checkedForm(visit, request, body);
      const name = form.name ?? "";
      await visit.api.registry.deleteManifest({ name, digest: form.digest ?? "" });
      return redirectTo(`/repository${queryString({ name })}`, { htmx: visit.htmx });
    });
}

function repositoryContent(repository: Repository | undefined, isAdmin: boolean) {
  if (!repository) return html`<p class="muted">The registry sent no detail.</p>`;
  const name = repository.name;
  const kindOf = new Map(repository.manifests.map((manifest) => [manifest.digest, manifest]));
  const tagRows = repository.tags.map(
    (tag) => html`<tr>
  <td><strong>${tag.name}</strong></td>
  <td>${manifestLink(name, tag.digest)}</td>
  <td>${manifestKind(kindOf.get(tag.digest))}</td>
  <td>${formatTime(tag.updatedAt)}</td>
  <td>${isAdmin ? deleteButton("/tag/delete", { name, tag: tag.name }) : ""}</td>
</tr>`,
  );
  const manifestRows = repository.manifests.map(
    (manifest) => html`<tr>
  <td>${manifestLink(name, manifest.digest)}</td>
  <td>${manifestKind(manifest)}</td>
  <td>${manifest.tags.join(", ")}</td>
  <td>${manifest.platforms.join(", ")}</td>
  <td>${manifest.subject ? html`refers to ${manifestLink(name, manifest.subject)}` : ""}
    ${manifest.referrers.map(
      (digest) =>
        html`<div>referrer ${manifestLink(name, digest)} ${manifestKind(kindOf.get(digest))}</div>`,
    )}</td>
  <td class="number">${formatBytes(manifest.size)}</td>
  <td>${formatTime(manifest.createdAt)}</td>
</tr>`,
  );
  const deleteRepository = isAdmin
    ? html`<p><a class="button danger" href="/repository/delete${queryString({ name })}">
  Delete repository</a></p>`
    : "";
  return html`<h2>Tags</h2>
${tagRows.length ? dataTable(["Tag", "Digest", "Kind", "Updated", ""], tagRows) : html`<p class="muted">No tags.</p>`}
<h2>Manifests</h2>
${dataTable(["Digest", "Kind", "Tags", "Platforms", "Referrers", "#Size", "Pushed"], manifestRows)}
${deleteRepository}`;
}

/** A link to a delete route's confirmation page. */
function deleteButton(path: string, fields: Record<string, string>) {
  return html`<a class="button secondary" href="${path}${queryString(fields)}">Delete</a>`;
}

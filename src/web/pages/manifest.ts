import { Elysia } from "elysia";
import type { Manifest } from "../../gen/mcr/v1/registry_pb.ts";
import { formatBytes, formatTime, queryString, shortDigest } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import { layout } from "../layout.ts";
import { dataTable, manifestLink } from "../links.ts";
import { visitOf, type WebDependencies } from "../visit.ts";
import { type Descriptor, readManifestDocument } from "./manifest-document.ts";
import { manifestKind } from "./manifest-kind.ts";

/** One manifest: its config and layers, or an index's children, annotations and referrers. */
export function manifestRoutes(deps: WebDependencies) {
  return new Elysia().get("/manifest", async ({ request, query }) => {
    const visit = visitOf(deps, request);
    const name = query.name ?? "";
    const digest = query.digest ?? "";
    const { manifest, content } = await visit.api.registry.getManifest({ name, digest });
    if (!manifest) return layout("Manifest", visit, html`<p class="muted">No detail.</p>`);

    const document = readManifestDocument(content, manifest.mediaType);
    const pull = `${deps.registryHost}/${name}@${manifest.digest}`;
    const remove = visit.isAdmin
      ? html`<p><a class="button danger"
  href="/manifest/delete${queryString({ name, digest: manifest.digest })}">Delete manifest</a></p>`
      : "";
    return layout(
      `${name}@${shortDigest(manifest.digest)}`,
      visit,
      html`<p><a href="/repository${queryString({ name })}">← ${name}</a></p>
${summary(manifest)}
<h2>Pull</h2>
<p class="pull"><label>Pull command
  <input readonly value="${`docker pull ${pull}`}" aria-label="Pull command"></label></p>
${document.manifests ? children(name, document.manifests) : ""}
${document.config ? html`<h2>Config</h2>${descriptorTable([document.config], false)}` : ""}
${document.layers ? html`<h2>Layers</h2>${descriptorTable(document.layers, true)}` : ""}
<h2>Annotations</h2>
${annotationTable(document.annotations)}
${referrers(name, manifest)}
<h2>Manifest JSON</h2>
<pre>${prettyJson(content)}</pre>
${remove}`,
    );
  });
}

function summary(manifest: Manifest) {
  return html`<table class="summary"><tbody>
<tr><th>Digest</th><td class="digest">${manifest.digest}</td></tr>
<tr><th>Kind</th><td>${manifestKind(manifest)}</td></tr>
<tr><th>Media type</th><td><code>${manifest.mediaType}</code></td></tr>
<tr><th>Size</th><td>${formatBytes(manifest.size)}</td></tr>
<tr><th>Tags</th><td>${manifest.tags.join(", ") || "—"}</td></tr>
<tr><th>Pushed</th><td>${formatTime(manifest.createdAt)}</td></tr>
</tbody></table>`;
}

function children(name: string, manifests: Descriptor[]) {
  const rows = manifests.map(
    (child) => html`<tr>
  <td>${child.platform ?? "—"}</td>
  <td>${child.digest ? manifestLink(name, child.digest) : "—"}</td>
  <td><code>${child.mediaType ?? ""}</code></td>
  <td class="number">${formatBytes(child.size ?? 0)}</td>
</tr>`,
  );
  return html`<h2>Platforms</h2>${dataTable(["Platform", "Digest", "Media type", "#Size"], rows)}`;
}

function descriptorTable(descriptors: Descriptor[], numbered: boolean) {
  const rows = descriptors.map(
    (descriptor, index) => html`<tr>
  ${numbered ? html`<td class="number">${index + 1}</td>` : ""}
  <td class="digest">${descriptor.digest ?? ""}</td>
  <td><code>${descriptor.mediaType ?? ""}</code></td>
  <td class="number">${formatBytes(descriptor.size ?? 0)}</td>
</tr>`,
  );
  return html`<table><thead><tr>${numbered ? html`<th class="number">#</th>` : ""}<th>Digest</th>
<th>Media type</th><th class="number">Size</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function annotationTable(annotations: Record<string, string> | undefined): SafeHtml {
  const entries = Object.entries(annotations ?? {});
  if (entries.length === 0) return html`<p class="muted">None.</p>`;
  const rows = entries.map(
    ([key, value]) => html`<tr><td><code>${key}</code></td><td>${value}</td></tr>`,
  );
  return dataTable(["Key", "Value"], rows);
}

function referrers(name: string, manifest: Manifest) {
  const subject = manifest.subject
    ? html`<p>This manifest refers to ${manifestLink(name, manifest.subject, true)}
${manifest.artifactType ? html` as <code>${manifest.artifactType}</code>` : ""}.</p>`
    : "";
  const list = manifest.referrers.map(
    (digest) => html`<li>${manifestLink(name, digest, true)}</li>`,
  );
  return html`<h2>Referrers</h2>${subject}
${list.length ? html`<ul>${list}</ul>` : html`<p class="muted">No signatures, SBOMs or others.</p>`}`;
}

function prettyJson(content: string): string {
  try {
    return JSON.stringify(JSON.parse(content), null, 2);
  } catch {
    return content;
  }
}

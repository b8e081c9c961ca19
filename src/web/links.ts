import { queryString, shortDigest } from "./format.ts";
import { html, type SafeHtml } from "./html.ts";

/** The page of a repository. Names hold slashes, so they travel in the query. */
export function repositoryHref(name: string): string {
  return `/repository${queryString({ name })}`;
}

export function manifestHref(name: string, digest: string): string {
  return `/manifest${queryString({ name, digest })}`;
}

/** A link to a repository, showing its name. */
export function repositoryLink(name: string): SafeHtml {
  return html`<a href="${repositoryHref(name)}">${name}</a>`;
}

/** A link to a manifest, showing its short digest unless told to show it whole. */
export function manifestLink(name: string, digest: string, whole = false): SafeHtml {
  const text = whole ? digest : shortDigest(digest);
  return html`<a class="digest" href="${manifestHref(name, digest)}">${text}</a>`;
}

/** A table with a header row; a column whose name starts with "#" is right-aligned. */
export function dataTable(columns: string[], rows: SafeHtml[], id?: string): SafeHtml {
  const header = columns.map((column) =>
    column.startsWith("#")
      ? html`<th class="number">${column.slice(1)}</th>`
      : html`<th>${column}</th>`,
  );
  return html`<table${id ? html` id="${id}"` : ""}><thead><tr>${header}</tr></thead>
<tbody>${rows}</tbody></table>`;
}

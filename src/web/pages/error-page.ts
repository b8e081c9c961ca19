import { html } from "../html.ts";
import { layout } from "../layout.ts";
import type { Visit } from "../visit.ts";
import type { WebError } from "../web-error.ts";

/** The page for an error: its title, its message, and a way on. */
export function errorPage(error: WebError, visit: Visit | null): string {
  const next = visit
    ? html`<p><a href="/">Back to the dashboard</a></p>`
    : html`<p><a href="/login">Log in</a></p>`;
  return layout(
    error.title,
    visit,
    html`<p class="notice error" role="alert">${error.message}</p>${next}`,
  );
}

import { html } from "../html.ts";
import { layout } from "../layout.ts";
import type { Visit } from "../visit.ts";

/**
 * The page that asks before a delete: the question, and a form that posts the same fields to
 * the delete route. It needs no JavaScript, and a stray click deletes nothing.
 */
export function confirmPage(
  visit: Visit,
  options: {
    title: string;
    question: string;
    action: string;
    fields: Record<string, string>;
    back: string;
    /** The button's word; "Delete" unless given. */
    verb?: string;
  },
): string {
  const hidden = Object.entries(options.fields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
  return layout(
    options.title,
    visit,
    html`<form class="panel confirm" method="post" action="${options.action}">
  ${visit.csrf}${hidden}
  <p>${options.question}</p>
  <button type="submit" class="danger">${options.verb ?? "Delete"}</button>
  <a class="button secondary" href="${options.back}">Cancel</a>
</form>`,
  );
}

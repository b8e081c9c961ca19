import { html, type SafeHtml } from "./html.ts";
import type { Visit } from "./visit.ts";

/** The pages in the navigation bar; admin pages only for admins. */
const NAVIGATION = [
  { href: "/", label: "Dashboard", admin: false },
  // The admin API lists repositories to administrators only.
  { href: "/repositories", label: "Repositories", admin: true },
  { href: "/policies", label: "Policies", admin: true },
  { href: "/audit", label: "Audit log", admin: true },
  { href: "/accounts", label: "Accounts", admin: true },
];

/**
 * HTMX's own settings: no inline indicator styles (the CSP forbids them) and no eval, so that
 * nothing on a page needs more than `script-src 'self'`.
 */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
});

/** A whole page: the head, the navigation for a signed-in visit, and the content. */
export function layout(title: string, visit: Visit | null, content: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${title} · MCR</title>
<link rel="stylesheet" href="/assets/style.css">
<script src="/assets/htmx.min.js" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/">MCR</a>
  ${visit ? navigation(visit) : ""}
</header>
<main>
<h1>${title}</h1>
${content}
</main>
</body>
</html>`.toString();
}

function navigation(visit: Visit): SafeHtml {
  const links = NAVIGATION.filter((item) => visit.isAdmin || !item.admin).map(
    (item) => html`<a href="${item.href}">${item.label}</a>`,
  );
  return html`<nav>${links}</nav>
  <form class="logout" method="post" action="/logout">
    ${visit.csrf}
    <span class="who">${visit.session.username}${visit.isAdmin ? " (admin)" : ""}</span>
    <button type="submit">Log out</button>
  </form>`;
}

/** A message above a page's content: an error, or what a form just did. */
export function notice(kind: "error" | "info", message: string | null | undefined): SafeHtml {
  if (!message) return html``;
  return html`<p class="notice ${kind}" role="${kind === "error" ? "alert" : "status"}">${message}</p>`;
}

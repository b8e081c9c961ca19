import { Elysia } from "elysia";
import type { EvaluateResponse, Rule } from "../../gen/mcr/v1/policy_pb.ts";
import { refusalMessage } from "../api-errors.ts";
import { html } from "../html.ts";
import { layout, notice } from "../layout.ts";
import { adminVisitOf, type WebDependencies } from "../visit.ts";

/** "Test a request": how the policy decides a subject, an action and a repository. */
export function policyTestRoutes(deps: WebDependencies) {
  return new Elysia().get("/policies/test", async ({ request, query }) => {
    const visit = adminVisitOf(deps, request);
    const subject = query.subject ?? "";
    const action = query.action ?? "";
    const repository = query.repository ?? "";

    let outcome = html``;
    if (action) {
      try {
        const decision = await visit.api.policy.evaluate({ subject, action, repository });
        outcome = decisionView(decision);
      } catch (error) {
        outcome = notice("error", refusalMessage(error));
      }
    }
    return layout(
      "Test a request",
      visit,
      html`<p><a href="/policies">← Policies</a></p>
<form class="panel" method="get" action="/policies/test">
  <label>Subject <input name="subject" value="${subject}" placeholder="username or anonymous"></label>
  <label>Action <input name="action" value="${action}" placeholder="registry:pull" required></label>
  <label>Repository <input name="repository" value="${repository}" placeholder="team/app"></label>
  <button type="submit">Decide</button>
</form>
${outcome}`,
    );
  });
}

function decisionView(decision: EvaluateResponse) {
  const verdict = decision.allowed ? "Allowed" : "Denied";
  return html`<section class="panel decision" id="decision">
  <p><span class="badge ${decision.allowed ? "allow" : "deny"}">${verdict}</span> ${decision.reason}</p>
  <p>Deciding rule: ${decision.rule ? ruleSummary(decision.rule) : "none (default deny)"}</p>
  ${decision.applicable.length ? html`<p>Rules that matched, in order:</p><ul>${decision.applicable.map((rule) => html`<li>${ruleSummary(rule)}</li>`)}</ul>` : ""}
</section>`;
}

function ruleSummary(rule: Rule) {
  return html`<strong>rule ${String(rule.id)}</strong> (${rule.effect}, priority ${rule.priority}${rule.description ? html`: ${rule.description}` : ""})`;
}

import { Elysia } from "elysia";
import type { Rule } from "../../gen/mcr/v1/policy_pb.ts";
import { refusalMessage } from "../api-errors.ts";
import { listField } from "../format.ts";
import { html } from "../html.ts";
import { layout, notice } from "../layout.ts";
import { htmlResponse, redirectTo } from "../responses.ts";
import { adminVisitOf, checkedForm, type Visit, type WebDependencies } from "../visit.ts";
import { WebError } from "../web-error.ts";
import { confirmPage } from "./confirm.ts";
import { policyTestRoutes } from "./policy-test.ts";

/** The access rules: list, create, enable or disable, delete; and testing a request. */
export function policyRoutes(deps: WebDependencies) {
  const listPage = async (visit: Visit, error: string | null, status = 200) => {
    const { rules } = await visit.api.policy.listRules({});
    return htmlResponse(
      layout(
        "Policies",
        visit,
        html`${notice("error", error)}
<p>Deny wins over allow; a request no rule matches is denied. <a href="/policies/test">Test a request</a></p>
${ruleTable(visit, rules)}
<h2>New rule</h2>
${createForm(visit)}`,
      ),
      status,
    );
  };

  return new Elysia()
    .use(policyTestRoutes(deps))
    .get("/policies", ({ request }) => listPage(adminVisitOf(deps, request), null))
    .post("/policies", async ({ request, body }) => {
      const visit = adminVisitOf(deps, request);
      const form = checkedForm(visit, request, body);
      const priority = form.priority?.trim() ?? "";
      // parseInt would read "abc" as NaN and "12abc" as 12; neither is what was typed.
      if (!/^-?\d{1,10}$/.test(priority) || Math.abs(Number(priority)) > 2 ** 31 - 1) {
        return listPage(visit, "Priority must be a whole number such as 100 (int32).", 400);
      }
      try {
        await visit.api.policy.createRule({
          rule: {
            priority: Number(priority),
            effect: form.effect ?? "",
            subjects: listField(form.subjects),
            accountTypes: listField(form.account_types),
            roles: listField(form.roles),
            actions: listField(form.actions),
            repositories: listField(form.repositories),
            description: form.description ?? "",
            enabled: form.enabled !== "false",
          },
        });
      } catch (error) {
        return listPage(visit, refusalMessage(error), 400);
      }
      return redirectTo("/policies", { htmx: visit.htmx });
    })
    .post("/policies/:id/:change", async ({ request, body, params }) => {
      const visit = adminVisitOf(deps, request);
      checkedForm(visit, request, body);
      const id = ruleId(params.id);
      let rule: Rule | undefined;
      if (params.change === "enable") rule = (await visit.api.policy.enableRule({ id })).rule;
      else if (params.change === "disable")
        rule = (await visit.api.policy.disableRule({ id })).rule;
      else if (params.change === "delete") {
        await visit.api.policy.deleteRule({ id });
        return redirectTo("/policies", { htmx: visit.htmx });
      } else return redirectTo("/policies");

      // HTMX swaps the one row in place; a plain form post reloads the list.
      if (visit.htmx && rule) return htmlResponse(ruleRow(visit, rule).toString());
      return redirectTo("/policies");
    })
    .get("/policies/:id/delete", async ({ request, params }) => {
      const visit = adminVisitOf(deps, request);
      const { rule } = await visit.api.policy.getRule({ id: ruleId(params.id) });
      return confirmPage(visit, {
        title: "Delete rule",
        question: `Delete rule ${params.id} (${rule?.effect} ${rule?.description || "no description"})?`,
        action: `/policies/${params.id}/delete`,
        fields: {},
        back: "/policies",
      });
    });
}

function ruleTable(visit: Visit, rules: Rule[]) {
  return html`<table id="rules"><thead><tr><th>Id</th><th class="number">Priority</th><th>Effect</th>
<th>Subjects</th><th>Account types</th><th>Roles</th><th>Actions</th><th>Repositories</th>
<th>Description</th><th>State</th><th></th></tr></thead>
<tbody>${rules.map((rule) => ruleRow(visit, rule))}</tbody></table>`;
}

/** One rule; its enable or disable button swaps just this row when HTMX runs. */
function ruleRow(visit: Visit, rule: Rule) {
  const id = String(rule.id);
  const enabled = rule.enabled !== false;
  const change = enabled ? "disable" : "enable";
  const controls = rule.builtin
    ? html`<span class="muted">built in</span>`
    : html`<form class="inline" method="post" action="/policies/${id}/${change}"
    hx-post="/policies/${id}/${change}" hx-target="closest tr" hx-swap="outerHTML">
    ${visit.csrf}<button type="submit" class="secondary">${enabled ? "Disable" : "Enable"}</button>
  </form>
  <a class="button danger" href="/policies/${id}/delete">Delete</a>`;
  return html`<tr id="rule-${id}" data-rule="${id}">
  <td>${id}</td>
  <td class="number">${rule.priority}</td>
  <td><span class="badge ${rule.effect}">${rule.effect}</span></td>
  <td>${anyOf(rule.subjects)}</td>
  <td>${anyOf(rule.accountTypes)}</td>
  <td>${anyOf(rule.roles)}</td>
  <td>${anyOf(rule.actions)}</td>
  <td>${anyOf(rule.repositories)}</td>
  <td>${rule.description}</td>
  <td><span class="badge ${enabled ? "enabled" : "disabled"}">${enabled ? "enabled" : "disabled"}</span></td>
  <td>${controls}</td>
</tr>`;
}

function createForm(visit: Visit) {
  return html`<form class="panel" method="post" action="/policies">
  ${visit.csrf}
  <label>Priority <input name="priority" type="number" value="100" required></label>
  <label>Effect <select name="effect"><option>allow</option><option>deny</option></select></label>
  <label>Subjects (account ids) <input name="subjects" placeholder="ids from Accounts"></label>
  <label>Account types <input name="account_types" placeholder="human, system"></label>
  <label>Roles <input name="roles" placeholder="developer"></label>
  <label>Actions <input name="actions" placeholder="registry:pull, registry:push" required></label>
  <label>Repositories <input name="repositories" placeholder="team/*"></label>
  <label>Description <input name="description"></label>
  <button type="submit">Create rule</button>
</form>
<p class="muted">Lists are comma-separated; an empty list matches everything.</p>`;
}

function anyOf(items: string[]): string {
  return items.length ? items.join(", ") : "any";
}

/** A rule id from the address; anything but a whole number is a page that cannot exist. */
function ruleId(text: string): bigint {
  if (/^\d{1,18}$/.test(text)) return BigInt(text);
  throw new WebError(
    404,
    "Not found",
    `There is no policy rule "${text}": rule ids are whole numbers.`,
  );
}

import { defineCtlCommand } from "../define-command.ts";
import { confirmDeletion } from "../terminal.ts";
import { testCommand } from "./policy-test.ts";
import { createCommand, updateCommand } from "./policy-write.ts";
import { describeRule, describeRules } from "./rule-format.ts";
import { parseRuleId, RULE_ID_ARG } from "./rule-id.ts";

const listCommand = defineCtlCommand({
  meta: { name: "list", description: "List every rule, built-in ones included" },
  async run(_args, { client, out }) {
    const { rules } = await client.listRules();
    out.result({ rules }, () => describeRules(rules));
  },
});

const showCommand = defineCtlCommand({
  meta: { name: "show", description: "Show one rule" },
  args: { id: RULE_ID_ARG },
  async run(args, { client, out }) {
    const rule = await client.getRule(parseRuleId(args.id));
    out.result(rule, () => describeRule(rule));
  },
});

/** `policy enable` and `policy disable`: one command each, told apart by `enabled`. */
function switchCommand(enabled: boolean) {
  const verb = enabled ? "enable" : "disable";
  return defineCtlCommand({
    meta: { name: verb, description: `${enabled ? "Enable" : "Disable"} a rule` },
    args: { id: RULE_ID_ARG },
    async run(args, { client, out }) {
      const rule = await client.setRuleEnabled(parseRuleId(args.id), enabled);
      out.result(rule, () => `${verb}d rule ${rule.id}`);
    },
  });
}

const deleteCommand = defineCtlCommand({
  meta: { name: "delete", description: "Delete a rule" },
  args: {
    id: RULE_ID_ARG,
    yes: { type: "boolean", alias: "y", description: "Do not ask for confirmation" },
  },
  async run(args, { client, out }) {
    const rule = await client.getRule(parseRuleId(args.id));
    const about = rule.description ? ` (${rule.description})` : "";
    await confirmDeletion(`rule ${rule.id}${about}`, Boolean(args.yes));
    await client.deleteRule(rule.id);
    out.result({ id: rule.id, deleted: true }, () => `deleted rule ${rule.id}`);
  },
});

/** `mcr ctl policy`: the access rules, and asking them a question. */
export const policyCommand = {
  meta: { name: "policy", description: "Manage access rules and test decisions" },
  subCommands: {
    list: listCommand,
    show: showCommand,
    create: createCommand,
    update: updateCommand,
    enable: switchCommand(true),
    disable: switchCommand(false),
    delete: deleteCommand,
    test: testCommand,
  },
};

import { defineCtlCommand } from "../define-command.ts";
import { UsageError } from "../errors.ts";
import { RULE_ARGS, ruleFieldsOf } from "./rule-fields.ts";
import { describeRule } from "./rule-format.ts";
import { parseRuleId, RULE_ID_ARG } from "./rule-id.ts";

/** `policy create`: a new rule from flags and/or --rule-file; enabled unless --disabled. */
export const createCommand = defineCtlCommand({
  meta: { name: "create", description: "Create a rule (priority and effect are required)" },
  args: {
    ...RULE_ARGS,
    disabled: { type: "boolean", description: "Create the rule disabled" },
  },
  async run(args, { client, out, tokens }) {
    const fields = await ruleFieldsOf(args, tokens);
    if (args.disabled) fields.enabled = false;
    const rule = await client.createRule(fields);
    out.result(rule, () => `created rule ${rule.id}\n${describeRule(rule)}`);
  },
});

/** `policy update <id>`: changes exactly the fields the flags (or the file) give. */
export const updateCommand = defineCtlCommand({
  meta: { name: "update", description: "Change the given fields of a rule" },
  args: { id: RULE_ID_ARG, ...RULE_ARGS },
  async run(args, { client, out, tokens }) {
    const id = parseRuleId(args.id);
    const fields = await ruleFieldsOf(args, tokens);
    if (Object.keys(fields).length === 0) {
      throw new UsageError("nothing to change: give a field flag or --rule-file");
    }
    const rule = await client.updateRule(id, fields);
    out.result(rule, () => `updated rule ${rule.id}\n${describeRule(rule)}`);
  },
});

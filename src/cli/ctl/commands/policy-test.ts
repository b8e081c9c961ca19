import type { EvaluationJson } from "../admin-shapes.ts";
import { defineCtlCommand } from "../define-command.ts";
import { formatFields } from "../output/table.ts";
import { describeRules } from "./rule-format.ts";

/**
 * `policy test`: asks the server whether a subject may perform an action on a repository,
 * and prints the decision with the rule that made it. A refusal is an answer, not a
 * failure: the exit code is 0 either way, and scripts read `allowed` from --json.
 */
export const testCommand = defineCtlCommand({
  meta: {
    name: "test",
    description: "Show whether a subject may do an action, and which rule decides",
  },
  args: {
    subject: {
      type: "string",
      valueHint: "who",
      required: true,
      description: "Username, account id, or anonymous",
    },
    action: {
      type: "string",
      valueHint: "action",
      required: true,
      description: "Such as registry:push",
    },
    repo: { type: "string", valueHint: "name", description: "Repository (not for global actions)" },
  },
  async run(args, { client, out }) {
    const evaluation = await client.evaluatePolicy({
      subject: args.subject,
      action: args.action,
      repository: args.repo ?? "",
    });
    out.result(evaluation, () => describeEvaluation(evaluation));
  },
});

function describeEvaluation(evaluation: EvaluationJson): string {
  const rule = evaluation.rule;
  const decider = rule
    ? `${rule.id}${rule.description ? ` (${rule.description})` : ""}`
    : "none (default deny)";
  const lines = [
    formatFields([
      ["decision", evaluation.allowed ? "allowed" : "denied"],
      ["reason", evaluation.reason],
      ["deciding rule", decider],
    ]),
  ];
  if (evaluation.applicable.length > 0) {
    lines.push("", "applicable rules:", describeRules(evaluation.applicable));
  }
  return lines.join("\n");
}

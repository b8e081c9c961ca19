import { UsageError } from "../errors.ts";

/** The positional argument naming a rule. */
export const RULE_ID_ARG = {
  type: "positional",
  required: true,
  description: "Rule id, as `policy list` shows it",
} as const;

/** A rule id from the command line; built-in rules have negative ids. */
export function parseRuleId(text: string): number {
  if (!/^-?\d{1,15}$/.test(text)) {
    throw new UsageError(`a rule id is a whole number, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

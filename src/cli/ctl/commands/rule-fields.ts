import { readFileSync } from "node:fs";
import type { RuleFieldsJson } from "../admin-shapes.ts";
import { listFlag } from "../argv.ts";
import { CtlError, UsageError } from "../errors.ts";

/**
 * The flags that write a rule's fields. A list flag may be repeated or hold commas
 * (`--action registry:push,registry:pull`); an empty value (`--role ""`) clears the list.
 */
export const RULE_ARGS = {
  priority: { type: "string", valueHint: "n", description: "Lower first; names the decider" },
  effect: { type: "string", valueHint: "allow|deny", description: "allow or deny" },
  subject: {
    type: "string",
    valueHint: "id",
    description: "Account id, or anonymous (repeatable, or comma-separated)",
  },
  "account-type": { type: "string", valueHint: "type", description: "human or system (list)" },
  role: { type: "string", valueHint: "role", description: "Role, such as admin (list)" },
  action: {
    type: "string",
    valueHint: "action",
    description: "registry:pull, registry:push, registry:delete, registry:catalog, … (list)",
  },
  repo: {
    type: "string",
    valueHint: "glob",
    description: "Repository glob: * within a segment, ** across (list)",
  },
  description: { type: "string", valueHint: "text", description: "What the rule is for" },
  "rule-file": {
    type: "string",
    valueHint: "path",
    description: "Rule fields as JSON (REST names, - for standard input); flags win over it",
  },
} as const;

/** Each list flag and the rule field it writes. */
const LIST_FLAGS = [
  ["subject", "subjects"],
  ["account-type", "account_types"],
  ["role", "roles"],
  ["action", "actions"],
  ["repo", "repositories"],
] as const;

const STRING_FIELDS = new Set(["effect", "description"]);
const LIST_FIELDS = new Set(["subjects", "account_types", "roles", "actions", "repositories"]);

/**
 * The rule fields a command line gives: the --rule-file's, then each flag's over them.
 * Only what is given is returned, so that an update changes exactly that.
 */
export async function ruleFieldsOf(
  args: { priority?: string; effect?: string; description?: string; "rule-file"?: string },
  tokens: string[],
): Promise<RuleFieldsJson> {
  const fields: RuleFieldsJson = args["rule-file"] ? await readRuleFile(args["rule-file"]) : {};
  if (args.priority !== undefined) fields.priority = parsePriority(args.priority);
  if (args.effect !== undefined) fields.effect = args.effect;
  if (args.description !== undefined) fields.description = args.description;
  for (const [flag, field] of LIST_FLAGS) {
    const values = listFlag(tokens, flag);
    if (values !== undefined) fields[field] = values;
  }
  return fields;
}

function parsePriority(text: string): number {
  if (!/^-?\d{1,9}$/.test(text.trim())) {
    throw new UsageError(`--priority must be a whole number, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

async function readRuleFile(path: string): Promise<RuleFieldsJson> {
  let text: string;
  try {
    text =
      path === "-" ? await new Response(Bun.stdin.stream()).text() : readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`cannot read --rule-file ${path}: ${reason}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CtlError("invalid", `--rule-file ${path} is not JSON: ${(error as Error).message}`);
  }
  return checkRuleJson(parsed, `--rule-file ${path}`);
}

/**
 * Rule fields from JSON in the REST API's names, checked here so that both transports
 * refuse a wrong field with the same words (protobuf would otherwise coerce or drop it).
 */
export function checkRuleJson(value: unknown, source: string): RuleFieldsJson {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CtlError("invalid", `${source}: expected a JSON object of rule fields`);
  }
  for (const [name, field] of Object.entries(value)) {
    const fault = fieldFault(name, field);
    if (fault) throw new CtlError("invalid", `${source}: ${name} ${fault}`);
  }
  return value as RuleFieldsJson;
}

function fieldFault(name: string, value: unknown): string | null {
  if (name === "priority") return Number.isInteger(value) ? null : "must be a whole number";
  if (name === "enabled") return typeof value === "boolean" ? null : "must be true or false";
  if (STRING_FIELDS.has(name)) return typeof value === "string" ? null : "must be a string";
  if (LIST_FIELDS.has(name)) {
    const strings = Array.isArray(value) && value.every((item) => typeof item === "string");
    return strings ? null : "must be a list of strings";
  }
  return "is not a rule field (priority, effect, subjects, account_types, roles, actions, repositories, description, enabled)";
}

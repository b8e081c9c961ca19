import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { AuditLog } from "../../src/audit/audit-log.ts";
import type { Identity } from "../../src/auth/identity.ts";
import { type MetadataDatabase, openDatabase } from "../../src/db/database.ts";
import { insertPolicyRule } from "../../src/db/policy-rules.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { BUILTIN_RULES } from "../../src/policy/builtin-rules.ts";
import {
  PolicyInputError,
  PolicyRuleNotFoundError,
  PolicyService,
} from "../../src/policy/policy-service.ts";
import { ruleInput } from "../helpers/auth.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

const robot: Identity = { id: "u-robot", username: "ci", accountType: "system", roles: [] };
const operator = { name: "admin", clientAddress: "127.0.0.1" };
const pullOnCi = ruleInput({
  subjects: ["u-robot"],
  actions: ["registry:pull"],
  repositories: ["ci/**"],
  description: "ci may pull",
});

let folder: string;
let metadata: MetadataDatabase;
let audit: AuditLog;
let policy: PolicyService;

beforeEach(async () => {
  folder = makeTempFolder("mcr-policy-");
  metadata = openDatabase({ path: join(folder, "mcr.db"), busyTimeoutMs: 1000 });
  audit = new AuditLog(metadata.db, silentLogger);
  policy = await PolicyService.open(metadata.db, audit);
});

afterEach(async () => {
  await metadata.close();
  removeFolder(folder);
});

const robotPulls = (repository = "ci/app") =>
  policy.evaluate({ principal: robot, action: "registry:pull", repository }).allowed;

async function auditEvents(eventType: string) {
  return (await audit.query({ eventType })).events;
}

test("a new database has only the built-in rules", () => {
  expect(policy.rules()).toEqual(BUILTIN_RULES.toSorted((a, b) => a.id - b.id));
  expect(robotPulls()).toBe(false);
});

test("create stores the rule, applies it at once and writes an audit row", async () => {
  const created = await policy.create(pullOnCi, operator);
  expect(created).toMatchObject({ ...pullOnCi, builtin: false });
  expect(created.id).toBeGreaterThan(0);

  expect(robotPulls()).toBe(true);
  expect(robotPulls("other/app")).toBe(false);
  expect(policy.rules().map((rule) => rule.id)).toContain(created.id);

  const [event] = await auditEvents("policy_rule_created");
  expect(event).toMatchObject({ actor: "admin", clientAddress: "127.0.0.1" });
  expect(event?.details).toMatchObject({ id: created.id, repositories: ["ci/**"] });
  // Spelled like every other event's details and like the REST API's rule.
  expect(event?.details).toHaveProperty("account_types");
  expect(event?.details).not.toHaveProperty("accountTypes");

  // Stored, not only cached: a fresh service over the same database sees it.
  const reopened = await PolicyService.open(metadata.db, audit);
  expect(reopened.rules().find((rule) => rule.id === created.id)).toEqual(created);
});

test("update changes the rule in the cache and writes an audit row of the patch", async () => {
  const created = await policy.create(pullOnCi, operator);
  const updated = await policy.update(created.id, { repositories: ["ci/app"] }, operator);
  expect(updated).toMatchObject({ id: created.id, repositories: ["ci/app"], priority: 100 });

  expect(robotPulls("ci/app")).toBe(true);
  expect(robotPulls("ci/other")).toBe(false);

  const [event] = await auditEvents("policy_rule_updated");
  expect(event?.details).toEqual({ id: created.id, repositories: ["ci/app"] });

  await policy.update(created.id, { enabled: false, accountTypes: ["system"] }, null);
  expect(robotPulls("ci/app")).toBe(false);
  const events = await auditEvents("policy_rule_updated");
  expect(events.map((e) => e.details)).toContainEqual({
    id: created.id,
    enabled: false,
    account_types: ["system"],
  });
});

test("delete removes the rule from the cache and writes an audit row", async () => {
  const created = await policy.create(pullOnCi, operator);
  await policy.delete(created.id, operator);
  expect(robotPulls()).toBe(false);
  expect(policy.rules().some((rule) => rule.id === created.id)).toBe(false);

  const [event] = await auditEvents("policy_rule_deleted");
  expect(event).toMatchObject({ actor: "admin", details: { id: created.id } });
  await expect(policy.delete(created.id, operator)).rejects.toBeInstanceOf(PolicyRuleNotFoundError);
});

test("decisions come from the cache: a rule written behind the service's back waits for reload", async () => {
  await insertPolicyRule(metadata.db, pullOnCi);
  expect(robotPulls()).toBe(false);
  await policy.reload();
  expect(robotPulls()).toBe(true);
});

test("built-in rules cannot be updated or deleted", async () => {
  for (const builtin of BUILTIN_RULES) {
    await expect(policy.update(builtin.id, { enabled: false }, operator)).rejects.toBeInstanceOf(
      PolicyRuleNotFoundError,
    );
    await expect(policy.delete(builtin.id, operator)).rejects.toBeInstanceOf(
      PolicyRuleNotFoundError,
    );
  }
  expect(policy.rules().filter((rule) => rule.builtin)).toHaveLength(BUILTIN_RULES.length);
  expect(await audit.query({})).toEqual({ events: [], nextBefore: null });
});

test("updating or deleting a rule that does not exist fails", async () => {
  await expect(policy.update(4242, { priority: 1 }, operator)).rejects.toBeInstanceOf(
    PolicyRuleNotFoundError,
  );
  await expect(policy.delete(4242, operator)).rejects.toBeInstanceOf(PolicyRuleNotFoundError);
});

test("invalid input is refused with every problem listed, and nothing is stored", async () => {
  const input = {
    ...ruleInput({}),
    priority: 1.5,
    effect: "maybe",
    actions: ["registry:pull", "registry:fly"],
    accountTypes: ["robot"],
    repositories: ["Team/**", "a/***", ""],
  } as unknown as Parameters<PolicyService["create"]>[0];

  const error = await policy.create(input, operator).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(PolicyInputError);
  const problems = (error as PolicyInputError).problems;
  expect(problems).toHaveLength(7);
  expect(problems.join("\n")).toContain("priority must be a whole number");
  expect(problems.join("\n")).toContain('effect must be "allow" or "deny"');
  expect(problems.join("\n")).toContain('unknown action "registry:fly"');
  expect(problems.join("\n")).toContain('unknown account type "robot"');
  expect(problems.join("\n")).toContain('"Team/**"');
  expect(problems.join("\n")).toContain('"a/***"');
  expect(problems.join("\n")).toContain("cannot be empty");
  for (const problem of problems) expect((error as Error).message).toContain(problem);

  expect(policy.rules()).toHaveLength(BUILTIN_RULES.length);
  expect(await audit.query({})).toEqual({ events: [], nextBefore: null });
});

test("an invalid update leaves the stored rule as it was", async () => {
  const created = await policy.create(pullOnCi, operator);
  await expect(
    policy.update(created.id, { repositories: ["UPPER"] }, operator),
  ).rejects.toBeInstanceOf(PolicyInputError);
  expect(policy.rules().find((rule) => rule.id === created.id)).toEqual(created);
  expect(await auditEvents("policy_rule_updated")).toEqual([]);
});

test("rules() lists built-in rules first, then by priority and id", async () => {
  const late = await policy.create(ruleInput({ priority: 50 }), null);
  const early = await policy.create(ruleInput({ priority: -10 }), null);
  const tie = await policy.create(ruleInput({ priority: 50 }), null);
  const ids = policy.rules().map((rule) => rule.id);
  expect(ids.slice(0, BUILTIN_RULES.length).every((id) => id < 0)).toBe(true);
  expect(ids.slice(BUILTIN_RULES.length)).toEqual([early.id, late.id, tie.id]);
});

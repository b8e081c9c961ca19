/**
 * Property: the admin REST API (/v1) answers fuzzed JSON bodies (wrong types, nulls, huge
 * numbers, duplicate keys, unicode, truncated or non-object JSON) and fuzzed path segments
 * with a success or a 4xx carrying `{"error": "..."}`, never a 5xx.
 * Runs: MCR_FUZZ_RUNS; replay: MCR_FUZZ_SEED and MCR_FUZZ_PATH (see fuzz-settings.ts).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { type AuthRegistry, startAuthRegistry } from "../helpers/auth.ts";
import { callApi, expectStatus } from "../helpers/rest-client.ts";
import { anyDigest, anyName, hostilePiece } from "./arbitraries.ts";
import { checkProperty, timeoutFor } from "./fuzz-settings.ts";
import { asTargetSegment, type RawAnswer, rawRequest } from "./raw-request.ts";

let registry: AuthRegistry;
let port: number;
let ruleId: number;

beforeAll(async () => {
  registry = await startAuthRegistry();
  port = Number(new URL(registry.url).port);
  const asAdmin = (method: string, path: string, json: unknown) =>
    callApi<{ id: number }>(registry.url, method, path, { authorization: registry.admin, json });
  expectStatus(
    await asAdmin("POST", "/v1/accounts", {
      username: "fuzz-target",
      account_type: "human",
      password: "a long enough password",
    }),
    201,
  );
  expectStatus(
    await asAdmin("POST", "/v1/accounts", { username: "fuzz-bot", account_type: "system" }),
    201,
  );
  const rule = await asAdmin("POST", "/v1/policy/rules", { priority: 500, effect: "allow" });
  expectStatus(rule, 201);
  ruleId = rule.body.id;
});
afterAll(() => registry.destroy());

/** Asserts a success, or a 4xx with a JSON `{"error": "<non-empty>"}`: never a 5xx. */
function expectApiAnswer(answer: RawAnswer, context: string): void {
  const text = answer.body.toString("utf8");
  if (answer.status >= 500 || answer.status < 200) {
    throw new Error(`${context}: answered ${answer.status}: ${text.slice(0, 300)}`);
  }
  if (answer.status < 400) return;
  expect({ context, type: answer.headers.get("content-type") }).toMatchObject({
    type: expect.stringContaining("application/json"),
  });
  const body = JSON.parse(text) as { error?: unknown };
  expect({ context, error: typeof body.error }).toEqual({ context, error: "string" });
  expect((body.error as string).length).toBeGreaterThan(0);
}

/** Strings a field might hold: any text, unicode, path pieces, durations past any date. */
const hostileString = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  hostilePiece,
  fc
    .tuple(fc.stringMatching(/^\d{1,30}$/), fc.constantFrom("", "ms", "s", "m", "h", "d", "y"))
    .map(([digits, unit]) => `${digits}${unit}`),
);
/** JSON value texts, written by hand where JSON.stringify cannot (1e400, lone surrogates). */
const valueText = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
  hostileString.map((text) => JSON.stringify(text)),
  fc.array(hostileString, { maxLength: 3 }).map((list) => JSON.stringify(list)),
  fc.constantFrom(
    "1e400",
    "-1e400",
    "99999999999999999999",
    "-99999999999999999999",
    "-0",
    "0.5",
    "1e-400",
    "null",
    "[null]",
    '["a",null]',
    "true",
    "{}",
    '{"a":1}',
    '"\\u0000"',
    '"\\ud800"',
    '"99999999999999999999d"',
  ),
);

/** A JSON object's text with these field names (repeats make duplicate keys). */
function objectText(fields: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    { arbitrary: fc.constantFrom(...fields), weight: 4 },
    { arbitrary: fc.constantFrom("__proto__", "constructor"), weight: 1 },
    { arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
  );
  return fc
    .array(fc.tuple(key, valueText), { maxLength: 5 })
    .map((pairs) => `{${pairs.map(([k, value]) => `${JSON.stringify(k)}:${value}`).join(",")}}`);
}

/** Bodies aimed at one endpoint: mostly objects of its fields, some broken or not objects. */
function bodyText(fields: readonly string[]): fc.Arbitrary<string> {
  const object = objectText(fields);
  return fc.oneof(
    { arbitrary: object, weight: 8 },
    { arbitrary: object.map((text) => text.slice(0, Math.max(1, text.length - 1))), weight: 1 },
    { arbitrary: object.map((text) => `\uFEFF${text}`), weight: 1 },
    { arbitrary: valueText, weight: 1 },
    { arbitrary: fc.string({ maxLength: 30 }), weight: 1 },
  );
}

const RULE_FIELDS = [
  "priority",
  "effect",
  "subjects",
  "account_types",
  "roles",
  "actions",
  "repositories",
  "description",
  "enabled",
];

/** Each JSON endpoint with the fields it reads. */
function jsonEndpoints(): Array<{ method: string; path: string; fields: string[] }> {
  return [
    {
      method: "POST",
      path: "/v1/accounts",
      fields: ["username", "account_type", "roles", "password"],
    },
    { method: "PUT", path: "/v1/accounts/fuzz-target/password", fields: ["password"] },
    { method: "POST", path: "/v1/accounts/fuzz-bot/tokens", fields: ["description", "ttl"] },
    { method: "POST", path: "/v1/policy/rules", fields: RULE_FIELDS },
    { method: "PATCH", path: `/v1/policy/rules/${ruleId}`, fields: RULE_FIELDS },
    { method: "POST", path: "/v1/policy/evaluate", fields: ["subject", "action", "repository"] },
    { method: "POST", path: "/v1/auth/login", fields: ["username", "password"] },
    { method: "POST", path: "/v1/gc", fields: ["reconcile"] },
  ];
}

test(
  "every JSON endpoint answers a fuzzed body with a success or a 4xx JSON error",
  async () => {
    await checkProperty(
      fc
        .constantFrom(...jsonEndpoints())
        .chain((endpoint) => bodyText(endpoint.fields).map((body) => ({ endpoint, body }))),
      async ({ endpoint, body }) => {
        const answer = await rawRequest(port, {
          method: endpoint.method,
          target: endpoint.path,
          headers: { Authorization: registry.admin, "Content-Type": "application/json" },
          body,
        });
        expectApiAnswer(answer, `${endpoint.method} ${endpoint.path} ${body}`);
      },
      400,
    );
    const health = await rawRequest(port, { method: "GET", target: "/v1/health" });
    expect(health.status).toBe(200);
  },
  timeoutFor(400),
);

/** Path templates with one fuzzed segment; `@` marks where it goes. */
const PATHS: ReadonlyArray<readonly [string, string]> = [
  ["GET", "/v1/repositories/@"],
  ["GET", "/v1/repositories/fuzz/app/manifests/@"],
  ["DELETE", "/v1/repositories/fuzz/app/manifests/@"],
  ["DELETE", "/v1/repositories/fuzz/app/tags/@"],
  ["GET", "/v1/accounts/@/tokens"],
  ["DELETE", "/v1/accounts/fuzz-bot/tokens/@"],
  ["PUT", "/v1/accounts/@/password"],
  ["GET", "/v1/policy/rules/@"],
  ["POST", "/v1/policy/rules/@/enable"],
  ["GET", "/v1/repositories?n=@"],
  ["GET", "/v1/audit?limit=@"],
  ["GET", "/v1/audit?since=@"],
];

const segment = fc.oneof(
  anyName,
  anyDigest,
  hostilePiece,
  fc.constantFrom("%ZZ", "%E0%A4%A", "%", "%C0%AE%C0%AE", "%u002e", "%FF"),
  fc.string({ maxLength: 12 }),
);

test(
  "admin paths with a fuzzed segment answer a success or a 4xx JSON error",
  async () => {
    await checkProperty(
      fc.record({ path: fc.constantFrom(...PATHS), segment }),
      async ({ path, segment: text }) => {
        const [method, template] = path;
        const target = template.replace("@", asTargetSegment(text));
        const answer = await rawRequest(port, {
          method,
          target,
          headers: { Authorization: registry.admin, "Content-Type": "application/json" },
          body: method === "PUT" ? '{"password":"another long password"}' : undefined,
        });
        expectApiAnswer(answer, `${method} ${target}`);
      },
      250,
    );
  },
  timeoutFor(250),
);

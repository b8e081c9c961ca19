/**
 * Property: hostile credentials (Basic with any bytes, Bearer with any text, other schemes,
 * very long values) and token-endpoint parameters get 200, 401 or 403 with the spec's error
 * body on /v2, a JSON error on /v1, and never a 5xx.
 * Runs: MCR_FUZZ_RUNS; replay: MCR_FUZZ_SEED and MCR_FUZZ_PATH (see fuzz-settings.ts).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { type AuthRegistry, startAuthRegistry } from "../helpers/auth.ts";
import { checkProperty, timeoutFor } from "./fuzz-settings.ts";
import { expectOciAnswer, type Outcome } from "./oci-answer.ts";
import { rawRequest } from "./raw-request.ts";

let registry: AuthRegistry;
let port: number;

beforeAll(async () => {
  registry = await startAuthRegistry();
  port = Number(new URL(registry.url).port);
});
afterAll(() => registry.destroy());

/** Header-safe text: a request header cannot carry CR, LF or NUL. */
const headerText = (maxLength: number) =>
  fc.string({ maxLength }).map((text) => text.replace(/[\r\n\0]/g, ""));

const authorization = fc.oneof(
  headerText(30).map((text) => `Basic ${Buffer.from(text).toString("base64")}`),
  fc.uint8Array({ maxLength: 30 }).map((bytes) => `Basic ${Buffer.from(bytes).toString("base64")}`),
  headerText(30).map((text) => `Bearer ${text}`),
  headerText(30),
  fc.constantFrom(
    "Basic",
    "Basic ",
    "Basic ===",
    "Basic Og==",
    "Bearer",
    "Bearer ",
    "Negotiate abc",
    `Basic ${"A".repeat(8_000)}`,
    `Bearer ${"x".repeat(8_000)}`,
  ),
);

const scope = fc.oneof(
  headerText(20),
  fc.constantFrom(
    "repository:team/app:pull",
    "repository:team/app:pull,push,delete,*",
    "repository:TEAM:pull",
    "repository::",
    ":::::",
    "registry:catalog:*",
    `repository:${"a".repeat(300)}:pull`,
    "repository:a/../b:pull",
  ),
);

test(
  "/v2, /v2/token and /v1 answer hostile credentials with a refusal, never a 5xx",
  async () => {
    await checkProperty(
      fc.record({
        authorization,
        scopes: fc.array(scope, { maxLength: 3 }),
        service: fc.option(headerText(10), { nil: undefined }),
      }),
      async ({ authorization: value, scopes, service }) => {
        const headers = { Authorization: value };
        const query = new URLSearchParams();
        for (const item of scopes) query.append("scope", item);
        if (service !== undefined) query.set("service", service);

        const refusals: Outcome[] = [200, [401, "UNAUTHORIZED"], [403, "DENIED"]];
        const targets: Array<[string, Outcome[]]> = [
          ["/v2/", refusals],
          ["/v2/team/app/tags/list", [...refusals, [404, "NAME_UNKNOWN"]]],
          // The token endpoint refuses a wrong service or too many scopes as a bad request.
          [`/v2/token?${query}`, [...refusals, [400, "UNSUPPORTED"]]],
        ];
        for (const [target, allowed] of targets) {
          const answer = await rawRequest(port, { method: "GET", target, headers });
          expectOciAnswer(answer, `${target} with ${value.slice(0, 40)}`, allowed);
        }
        const admin = await rawRequest(port, { method: "GET", target: "/v1/accounts", headers });
        expect([200, 401, 403]).toContain(admin.status);
        expect(JSON.parse(admin.body.toString())).toBeDefined();
      },
      60,
    );
  },
  timeoutFor(60),
);

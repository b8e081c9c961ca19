import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { IdentityUnavailableError } from "../../../src/auth/identity-provider.ts";
import {
  ALICE,
  providerFor,
  type Standin,
  type StandinMode,
  startStandin,
} from "./mcias-standin.ts";

/**
 * When MCIAS cannot be asked, the provider throws IdentityUnavailableError instead of
 * answering null: a 401 would tell a client with good credentials that they are wrong.
 */
let standin: Standin;
beforeEach(() => {
  standin = startStandin();
});
afterEach(() => standin.stop());

/** Expects both questions to the provider to fail as unavailable, matching `reason`. */
async function expectUnavailable(
  provider: ReturnType<typeof providerFor>["provider"],
  reason: RegExp,
) {
  const token = standin.issueToken(ALICE.username);
  for (const question of [
    () => provider.verifyPassword(ALICE.username, ALICE.password),
    () => provider.verifyForeignToken(token),
  ]) {
    const error = await question().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(IdentityUnavailableError);
    expect((error as Error).message).toMatch(reason);
  }
}

test("a service that is down", async () => {
  const { provider, lines } = providerFor(standin.url);
  standin.stop();

  await expectUnavailable(
    provider,
    /MCIAS at http:\/\/127\.0\.0\.1:\d+: (login|token validation) failed/,
  );
  expect(lines.some((line) => line.includes('"level":"warn"'))).toBe(true);
});

describe("answers outside the contract", () => {
  const CASES: Array<[StandinMode, RegExp]> = [
    ["error500", /unexpected status 500/],
    ["not-json", /does not follow the contract/],
    ["wrong-shape", /does not follow the contract/],
  ];
  for (const [mode, reason] of CASES) {
    test(mode, async () => {
      const { provider, lines } = providerFor(standin.url);
      standin.mode = mode;

      await expectUnavailable(provider, reason);
      const warning = JSON.parse(lines.at(-1) ?? "{}");
      expect(warning).toMatchObject({ level: "warn", provider: "mcias", server: standin.url });
    });
  }

  test("a 404 (a wrong server_url) is not taken for bad credentials", async () => {
    const { provider } = providerFor(`${standin.url}/not-mcias`);

    await expectUnavailable(provider, /unexpected status 404/);
  });
});

test("a service that never answers times out", async () => {
  const { provider } = providerFor(standin.url, { timeoutMs: 200 });
  standin.mode = "hang";

  const started = performance.now();
  await expectUnavailable(provider, /no answer within 200 ms/);
  expect(performance.now() - started).toBeLessThan(2_000);
});

test("an error is not cached: the next call asks again", async () => {
  const { provider } = providerFor(standin.url);
  const token = standin.issueToken(ALICE.username);
  standin.mode = "error500";
  await expect(provider.verifyForeignToken(token)).rejects.toBeInstanceOf(IdentityUnavailableError);

  standin.mode = "normal";
  expect(await provider.verifyForeignToken(token)).toMatchObject({ id: ALICE.id });
});

test("a redirect is not followed: it could carry the password elsewhere", async () => {
  const { provider } = providerFor(`${standin.url}/moved`);

  await expectUnavailable(provider, /redirect not followed 307/);
  expect(standin.calls["/v1/auth/login"]).toBeUndefined();
});

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type AuthRegistry,
  addRule,
  basic,
  bearer,
  createSystemAccount,
  expectTokenError,
  postToken,
  pushBlobAs,
  pushImageAs,
  requestToken,
  startAuthRegistry,
  tokenFor,
} from "../helpers/auth.ts";
import { expectOciError } from "../helpers/oci-expect.ts";

/** Accounts and policy as clients meet them: Basic credentials, robots, disabling, rules. */
let registry: AuthRegistry;
beforeAll(async () => {
  registry = await startAuthRegistry();
});
afterAll(() => registry.destroy());

/** A request to the registry, with an Authorization header when given. */
function call(path: string, authorization?: string, init: RequestInit = {}) {
  const headers = authorization ? { Authorization: authorization } : undefined;
  return fetch(`${registry.url}${path}`, { ...init, headers });
}

describe("Basic credentials and accounts", () => {
  test("Basic credentials work directly on /v2: the admin pushes and reads a blob", async () => {
    const { digest, response } = await pushBlobAs(
      registry.url,
      "basic/app",
      "hello",
      registry.admin,
    );
    expect(response.status).toBe(201);
    const read = await call(`/v2/basic/app/blobs/${digest}`, registry.admin);
    expect(read.status).toBe(200);
    expect(await read.text()).toBe("hello");
  });

  test("a revoked API token stops at once and the revocation is audited", async () => {
    const robot = await createSystemAccount(registry, "revoked-robot");
    const { accounts } = registry.running.accessLayer;
    expect((await call("/v2/", robot.authorization)).status).toBe(200);

    const [listed] = await accounts.listTokens("revoked-robot");
    expect(listed?.kind).toBe("api");
    expect(JSON.stringify(listed)).not.toContain(robot.token);
    await accounts.revokeToken("revoked-robot", listed?.id ?? "", null);

    expect((await call("/v2/", bearer(robot.token))).status).toBe(401);
    // Basic with the token as password goes through the cache first; a revocation clears it.
    expect((await requestToken(registry.url, {}, robot.authorization)).status).toBe(401);
    await expect(accounts.revokeToken("revoked-robot", listed?.id ?? "", null)).rejects.toThrow(
      "no live token",
    );
    const { events } = await registry.running.audit.query({ eventType: "token_revoked" });
    expect(events[0]?.details).toMatchObject({ account: "revoked-robot", token_id: listed?.id });
  });

  test("a system account logs in with its API token as the password", async () => {
    const robot = await createSystemAccount(registry, "login-robot");
    expect((await requestToken(registry.url, {}, robot.authorization)).status).toBe(200);
    expect((await call("/v2/", robot.authorization)).status).toBe(200);
    // The API token also works as a bearer token; the policy then decides.
    expect((await call("/v2/", bearer(robot.token))).status).toBe(200);
    expect((await call("/v2/_catalog", bearer(robot.token))).status).toBe(403);

    const wrong = basic("login-robot", "mcr_not-its-token");
    expect((await requestToken(registry.url, {}, wrong)).status).toBe(401);
    // Another account's token is not this account's password.
    const other = await createSystemAccount(registry, "other-robot");
    expect((await requestToken(registry.url, {}, basic("login-robot", other.token))).status).toBe(
      401,
    );
  });

  test("disabling an account stops its password, tokens and refresh tokens at once", async () => {
    const { accounts } = registry.running.accessLayer;
    const password = "a long enough password";
    await accounts.create({ username: "carol", accountType: "human", roles: [], password }, null);
    const carol = basic("carol", password);
    // Verified credentials are now cached; disabling must clear that cache.
    const offline = await requestToken(
      registry.url,
      { scope: ["repository:carol/app:pull,push"], offline: true },
      carol,
    );
    const { token, refresh_token } = (await offline.json()) as {
      token: string;
      refresh_token: string;
    };
    expect((await call("/v2/", carol)).status).toBe(200);

    await accounts.setDisabled("carol", true, null);

    expect((await requestToken(registry.url, {}, carol)).status).toBe(401);
    expect((await call("/v2/", carol)).status).toBe(401);
    await expectTokenError(
      await call("/v2/carol/app/blobs/uploads/", bearer(token), { method: "POST" }),
      "invalid_token",
    );
    const refreshed = await postToken(registry.url, {
      grant_type: "refresh_token",
      refresh_token,
      service: "mcr",
    });
    expect(refreshed.status).toBe(401);
  });

  test("disabling a system account stops its API token", async () => {
    const robot = await createSystemAccount(registry, "retired-robot");
    expect((await requestToken(registry.url, {}, robot.authorization)).status).toBe(200);
    await registry.running.accessLayer.accounts.setDisabled("retired-robot", true, null);
    expect((await requestToken(registry.url, {}, robot.authorization)).status).toBe(401);
    await expectTokenError(await call("/v2/", bearer(robot.token)), "invalid_token");
  });

  test("a changed password stops the old one at once", async () => {
    const { accounts } = registry.running.accessLayer;
    await accounts.create(
      { username: "dave", accountType: "human", roles: [], password: "first password here" },
      null,
    );
    expect(
      (await requestToken(registry.url, {}, basic("dave", "first password here"))).status,
    ).toBe(200);
    await accounts.setPassword("dave", "second password here", null);
    expect(
      (await requestToken(registry.url, {}, basic("dave", "first password here"))).status,
    ).toBe(401);
    expect(
      (await requestToken(registry.url, {}, basic("dave", "second password here"))).status,
    ).toBe(200);
  });
});

describe("policy through the token flow", () => {
  test("anonymous pull allowed by a rule works by token and without any Authorization", async () => {
    await addRule(registry, {
      subjects: ["anonymous"],
      actions: ["registry:pull"],
      repositories: ["public/**"],
    });
    const image = await pushImageAs(registry.url, "public/app", "1", registry.admin);

    const plain = await call("/v2/public/app/manifests/1");
    expect(plain.status).toBe(200);
    expect(plain.headers.get("docker-content-digest")).toBe(image.digest);
    expect((await call(`/v2/public/app/blobs/${image.layerDigest}`)).status).toBe(200);

    const token = await tokenFor(registry.url, ["repository:public/app:pull,push"]);
    const byToken = await call("/v2/public/app/manifests/1", bearer(token));
    expect(byToken.status).toBe(200);
    // The anonymous token was granted pull only; the rule covers nothing else.
    await expectTokenError(
      await call("/v2/public/app/blobs/uploads/", bearer(token), { method: "POST" }),
      "insufficient_scope",
    );
    const push = await call("/v2/public/app/blobs/uploads/", undefined, { method: "POST" });
    expect(push.status).toBe(401);
    expect((await call("/v2/private/app/tags/list")).status).toBe(401);
  });

  test("a push-only robot can check existence and push, but not pull", async () => {
    const robot = await createSystemAccount(registry, "push-robot");
    await addRule(registry, {
      subjects: [robot.account.id],
      actions: ["registry:push"],
      repositories: ["robots/**"],
    });

    const image = await pushImageAs(registry.url, "robots/app", "1", robot.authorization);
    const blob = `/v2/robots/app/blobs/${image.layerDigest}`;
    const manifest = "/v2/robots/app/manifests/1";
    expect((await call(blob, robot.authorization, { method: "HEAD" })).status).toBe(200);
    expect((await call(manifest, robot.authorization, { method: "HEAD" })).status).toBe(200);
    await expectOciError(await call(blob, robot.authorization), 403, "DENIED");
    await expectOciError(await call(manifest, robot.authorization), 403, "DENIED");
    await expectOciError(
      await call("/v2/robots/app/tags/list", robot.authorization),
      403,
      "DENIED",
    );

    const granted = await postToken(registry.url, {
      grant_type: "password",
      username: "push-robot",
      password: robot.token,
      service: "mcr",
      scope: "repository:robots/app:pull,push",
    });
    const body = (await granted.json()) as { access_token: string; scope: string };
    expect(body.scope).toBe("repository:robots/app:push");
    const token = bearer(body.access_token);
    expect((await call(blob, token, { method: "HEAD" })).status).toBe(200);
    expect((await call(manifest, token, { method: "HEAD" })).status).toBe(200);
    expect((await call("/v2/robots/app/blobs/uploads/", token, { method: "POST" })).status).toBe(
      202,
    );
    await expectTokenError(
      await call(blob, token),
      "insufficient_scope",
      `repository:robots/app:pull`,
    );
  });
});

describe("denials through the token endpoint", () => {
  test("a token request the policy narrows is audited as policy_denied with what was refused", async () => {
    const robot = await createSystemAccount(registry, "narrowed-robot");
    const answer = await requestToken(
      registry.url,
      { scope: ["repository:elsewhere/app:pull,push"] },
      robot.authorization,
    );
    expect(answer.status).toBe(200);
    const { events } = await registry.running.audit.query({
      eventType: "policy_denied",
      actor: "narrowed-robot",
    });
    expect(events[0]?.details).toMatchObject({
      via: "token endpoint",
      refused: ["repository:elsewhere/app:pull", "repository:elsewhere/app:push"],
    });
    expect(events[0]?.repository).toBe("elsewhere/app");
  });

  test("a scope asked for twice is listed once among the refused", async () => {
    const robot = await createSystemAccount(registry, "repeating-robot");
    const scope = ["repository:elsewhere/app:push", "repository:elsewhere/app:push,push"];
    const answer = await requestToken(registry.url, { scope }, robot.authorization);
    expect(answer.status).toBe(200);
    const { events } = await registry.running.audit.query({
      eventType: "policy_denied",
      actor: "repeating-robot",
    });
    expect(events[0]?.details?.refused).toEqual(["repository:elsewhere/app:push"]);
  });
});

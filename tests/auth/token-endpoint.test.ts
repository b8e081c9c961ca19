import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type AuthRegistry,
  basic,
  bearer,
  expectTokenError,
  parseChallenge,
  postToken,
  requestToken,
  startAuthRegistry,
  tokenFor,
} from "../helpers/auth.ts";
import { expectOciError } from "../helpers/oci-expect.ts";

/** The Docker token flow over HTTP: challenges, /v2/token (GET and POST), bearer tokens. */
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

describe("challenges", () => {
  const CASES: Array<[method: string, path: string, scope: string | undefined]> = [
    ["GET", "/v2/", undefined],
    ["GET", "/v2/_catalog", "registry:catalog:*"],
    ["GET", "/v2/ch/app/tags/list", "repository:ch/app:pull"],
    ["GET", "/v2/ch/app/manifests/1", "repository:ch/app:pull"],
    ["PUT", "/v2/ch/app/manifests/1", "repository:ch/app:pull,push"],
    ["POST", "/v2/ch/app/blobs/uploads/", "repository:ch/app:pull,push"],
    ["DELETE", "/v2/ch/app/manifests/1", "repository:ch/app:delete"],
  ];
  for (const [method, path, scope] of CASES) {
    test(`${method} ${path} asks for ${scope ?? "no scope"}`, async () => {
      const response = await call(path, undefined, { method });
      expect(response.status).toBe(401);
      const challenge = parseChallenge(response.headers.get("www-authenticate"));
      expect(challenge).toEqual({
        realm: `${registry.url}/v2/token`,
        service: "mcr",
        ...(scope ? { scope } : {}),
      });
    });
  }

  test("following the challenge as docker does gets a token that works", async () => {
    const refused = await call("/v2/flow/app/blobs/uploads/", undefined, { method: "POST" });
    const { realm, service, scope } = parseChallenge(refused.headers.get("www-authenticate"));
    const url = new URL(realm ?? "");
    url.searchParams.set("service", service ?? "");
    url.searchParams.set("scope", scope ?? "");
    const granted = await fetch(url, { headers: { Authorization: registry.admin } });
    expect(granted.status).toBe(200);
    const { token } = (await granted.json()) as { token: string };
    const retried = await call("/v2/flow/app/blobs/uploads/", bearer(token), { method: "POST" });
    expect(retried.status).toBe(202);
  });
});

describe("GET /v2/token", () => {
  test("with Basic credentials: 200 with token, access_token, expires_in, issued_at", async () => {
    const before = Date.now();
    const response = await requestToken(
      registry.url,
      { scope: ["repository:t/app:pull"] },
      registry.admin,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["access_token", "expires_in", "issued_at", "token"]);
    expect(body.token).toMatch(/^mcr_[A-Za-z0-9_-]{43}$/);
    expect(body.access_token).toBe(body.token);
    expect(body.expires_in).toBe(900);
    const issuedAt = Date.parse(String(body.issued_at));
    expect(issuedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(issuedAt).toBeLessThanOrEqual(Date.now() + 1000);
  });

  test("bad credentials and unknown accounts: 401", async () => {
    for (const authorization of [basic("admin", "wrong-password"), basic("nobody", "x")]) {
      const response = await requestToken(registry.url, {}, authorization);
      await expectOciError(response, 401, "UNAUTHORIZED");
    }
  });

  test("an anonymous request gets a token that grants nothing", async () => {
    const response = await requestToken(registry.url, { scope: ["repository:t/app:pull"] });
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as { token: string };
    const used = await call("/v2/t/app/tags/list", bearer(token));
    expect(used.status).toBe(401);
    await expectTokenError(used, "insufficient_scope", "repository:t/app:pull");
  });

  test("repeated scope parameters are all granted", async () => {
    const token = await tokenFor(
      registry.url,
      ["repository:multi/one:pull", "repository:multi/two:pull,push"],
      registry.admin,
    );
    // Past the access check: an unknown repository is NAME_UNKNOWN, not a refusal.
    await expectOciError(await call("/v2/multi/one/tags/list", bearer(token)), 404, "NAME_UNKNOWN");
    const upload = await call("/v2/multi/two/blobs/uploads/", bearer(token), { method: "POST" });
    expect(upload.status).toBe(202);
    await expectTokenError(
      await call("/v2/multi/one/blobs/uploads/", bearer(token), { method: "POST" }),
      "insufficient_scope",
      "repository:multi/one:pull,push",
    );
  });

  test("space-separated scopes in one parameter are all granted", async () => {
    const token = await tokenFor(
      registry.url,
      ["repository:space/one:pull repository:space/two:push"],
      registry.admin,
    );
    await expectOciError(await call("/v2/space/one/tags/list", bearer(token)), 404, "NAME_UNKNOWN");
    const upload = await call("/v2/space/two/blobs/uploads/", bearer(token), { method: "POST" });
    expect(upload.status).toBe(202);
  });

  test("registry:catalog:* grants the catalog, and only a token with it may list", async () => {
    const withCatalog = await tokenFor(registry.url, ["registry:catalog:*"], registry.admin);
    const listed = await call("/v2/_catalog", bearer(withCatalog));
    expect(listed.status).toBe(200);
    expect(await listed.json()).toHaveProperty("repositories");

    const without = await tokenFor(registry.url, ["repository:t/app:pull"], registry.admin);
    await expectTokenError(
      await call("/v2/_catalog", bearer(without)),
      "insufficient_scope",
      "registry:catalog:*",
    );
  });

  test("offline_token=true adds a refresh token; without it there is none", async () => {
    const offline = await requestToken(registry.url, { offline: true }, registry.admin);
    expect(((await offline.json()) as { refresh_token?: string }).refresh_token).toMatch(/^mcr_/);
    const online = await requestToken(registry.url, {}, registry.admin);
    expect(await online.json()).not.toHaveProperty("refresh_token");
    const anonymous = await requestToken(registry.url, { offline: true });
    expect(await anonymous.json()).not.toHaveProperty("refresh_token");
  });

  test("a service other than mcr: 400", async () => {
    const response = await requestToken(registry.url, { service: "elsewhere" }, registry.admin);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("elsewhere");
  });
});

describe("POST /v2/token", () => {
  test("grant_type=password gives an access_token with the granted scope", async () => {
    const response = await postToken(registry.url, {
      grant_type: "password",
      username: "admin",
      password: registry.adminPassword,
      service: "mcr",
      scope: "repository:oauth/app:pull,push",
      client_id: "containerd",
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      token_type: "Bearer",
      expires_in: 900,
      scope: "repository:oauth/app:pull,push",
    });
    const upload = await call("/v2/oauth/app/blobs/uploads/", bearer(String(body.access_token)), {
      method: "POST",
    });
    expect(upload.status).toBe(202);
  });

  test("grant_type=password with a wrong password: 401", async () => {
    const response = await postToken(registry.url, {
      grant_type: "password",
      username: "admin",
      password: "not it",
      service: "mcr",
    });
    await expectOciError(response, 401, "UNAUTHORIZED");
  });

  test("grant_type=refresh_token exchanges docker login's identity token", async () => {
    const offline = await requestToken(registry.url, { offline: true }, registry.admin);
    const { refresh_token } = (await offline.json()) as { refresh_token: string };
    const response = await postToken(registry.url, {
      grant_type: "refresh_token",
      refresh_token,
      service: "mcr",
      scope: "repository:refresh/app:pull",
    });
    expect(response.status).toBe(200);
    const { access_token } = (await response.json()) as { access_token: string };
    await expectOciError(
      await call("/v2/refresh/app/tags/list", bearer(access_token)),
      404,
      "NAME_UNKNOWN",
    );
  });

  test("a refresh token that is not one: 401; a missing or unknown grant_type: 400", async () => {
    const access = await tokenFor(registry.url, [], registry.admin);
    const forms: Array<Record<string, string>> = [
      { grant_type: "refresh_token", refresh_token: "mcr_nonsense", service: "mcr" },
      { grant_type: "refresh_token", refresh_token: access, service: "mcr" },
    ];
    for (const form of forms) {
      await expectOciError(await postToken(registry.url, form), 401, "UNAUTHORIZED");
    }
    const malformed: Array<Record<string, string>> = [
      { username: "admin", password: registry.adminPassword },
      { grant_type: "client_credentials" },
    ];
    for (const form of malformed) {
      await expectOciError(await postToken(registry.url, form), 400, "UNSUPPORTED");
    }
  });
});

describe("bearer tokens on /v2", () => {
  test("garbage, unknown and refresh tokens: 401 invalid_token", async () => {
    const offline = await requestToken(registry.url, { offline: true }, registry.admin);
    const { refresh_token } = (await offline.json()) as { refresh_token: string };
    for (const token of [
      "garbage",
      "mcr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      refresh_token,
    ]) {
      await expectTokenError(await call("/v2/t/app/tags/list", bearer(token)), "invalid_token");
    }
    await expectTokenError(await call("/v2/", "Bearer"), "invalid_token");
    await expectTokenError(await call("/v2/", "Negotiate abc"), "invalid_token");
  });

  test("a token for repository A used on repository B: 401 insufficient_scope", async () => {
    const token = await tokenFor(registry.url, ["repository:a/app:pull,push"], registry.admin);
    const other = await call("/v2/b/app/blobs/uploads/", bearer(token), { method: "POST" });
    await expectTokenError(other, "insufficient_scope", "repository:b/app:pull,push");
  });

  test("an expired token: 401 invalid_token", async () => {
    const shortLived = await startAuthRegistry({ MCR_AUTH_TOKEN_TTL: "1s" });
    try {
      const response = await requestToken(
        shortLived.url,
        { scope: ["repository:ttl/app:pull,push"] },
        shortLived.admin,
      );
      const { token, expires_in } = (await response.json()) as {
        token: string;
        expires_in: number;
      };
      expect(expires_in).toBe(1);
      const path = `${shortLived.url}/v2/ttl/app/blobs/uploads/`;
      const fresh = await fetch(path, {
        method: "POST",
        headers: { Authorization: bearer(token) },
      });
      expect(fresh.status).toBe(202);

      await Bun.sleep(1100);
      const stale = await fetch(path, {
        method: "POST",
        headers: { Authorization: bearer(token) },
      });
      await expectTokenError(stale, "invalid_token");
    } finally {
      await shortLived.destroy();
    }
  }, 15_000);
});

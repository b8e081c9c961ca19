import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  ALICE,
  DISABLED,
  providerFor,
  ROBOT,
  type Standin,
  startStandin,
} from "./mcias-standin.ts";

/** The MCIAS provider against a stand-in that follows the contract. */
let standin: Standin;
beforeEach(() => {
  standin = startStandin();
});
afterEach(() => standin.stop());

const LOGIN = "/v1/auth/login";
const VALIDATE = "/v1/token/validate";

describe("passwords", () => {
  test("a good password gives the account's identity", async () => {
    const { provider } = providerFor(standin.url);

    expect(await provider.verifyPassword(ALICE.username, ALICE.password)).toEqual({
      id: ALICE.id,
      username: "alice",
      accountType: "human",
      roles: ["admin"],
    });
    expect(await provider.verifyPassword(ROBOT.username, ROBOT.password)).toMatchObject({
      id: ROBOT.id,
      accountType: "system",
    });
  });

  test("login sends the service name and tags, and returns the service's token", async () => {
    const { provider } = providerFor(standin.url);

    const login = await provider.login(ALICE.username, ALICE.password);

    expect(standin.loginBodies).toEqual([
      { username: "alice", password: ALICE.password, service_name: "mcr-test", tags: ["env:test"] },
    ]);
    expect(login?.token).toStartWith("mcias_");
    expect(login?.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(await provider.verifyForeignToken(login?.token ?? "")).toEqual(login?.identity ?? null);
  });

  test("a wrong password or an unknown user gives null", async () => {
    const { provider } = providerFor(standin.url);

    expect(await provider.verifyPassword(ALICE.username, "wrong")).toBeNull();
    expect(await provider.verifyPassword("nobody", "whatever")).toBeNull();
    expect(standin.calls[VALIDATE]).toBeUndefined();
  });

  test("a disabled account (403) is treated as wrong credentials", async () => {
    const { provider } = providerFor(standin.url);

    expect(await provider.verifyPassword(DISABLED.username, DISABLED.password)).toBeNull();
    expect(await provider.login(DISABLED.username, DISABLED.password)).toBeNull();
  });

  test("passwords are never cached", async () => {
    const { provider } = providerFor(standin.url);

    await provider.verifyPassword(ALICE.username, ALICE.password);
    await provider.verifyPassword(ALICE.username, ALICE.password);

    expect(standin.calls[LOGIN]).toBe(2);
  });
});

describe("tokens", () => {
  test("a valid token gives its identity; an unknown one gives null", async () => {
    const { provider } = providerFor(standin.url);
    const token = standin.issueToken(ROBOT.username);

    expect(await provider.verifyForeignToken(token)).toEqual({
      id: ROBOT.id,
      username: ROBOT.username,
      accountType: "system",
      roles: ["push"],
    });
    expect(await provider.verifyForeignToken("mcias_unknown")).toBeNull();
    expect(await provider.verifyForeignToken("")).toBeNull();
  });

  test("a 401 from validation means the token is not valid", async () => {
    standin.stop();
    standin = startStandin({ rejectTokensWith401: true });
    const { provider } = providerFor(standin.url);

    expect(await provider.verifyForeignToken("mcias_unknown")).toBeNull();
  });

  test("answers are reused within the cache lifetime, valid and not valid", async () => {
    const { provider } = providerFor(standin.url, { cacheTtlMs: 60_000 });
    const token = standin.issueToken(ALICE.username);

    for (let i = 0; i < 5; i++) {
      expect(await provider.verifyForeignToken(token)).toMatchObject({ id: ALICE.id });
      expect(await provider.verifyForeignToken("mcias_unknown")).toBeNull();
    }
    expect(standin.calls[VALIDATE]).toBe(2);
  });

  test("a revoked token stops working once its cached answer expires", async () => {
    const { provider } = providerFor(standin.url, { cacheTtlMs: 100 });
    const token = standin.issueToken(ALICE.username);
    expect(await provider.verifyForeignToken(token)).toMatchObject({ id: ALICE.id });

    standin.revoke(token);
    expect(await provider.verifyForeignToken(token)).toMatchObject({ id: ALICE.id });
    expect(standin.calls[VALIDATE]).toBe(1);

    await Bun.sleep(150);
    expect(await provider.verifyForeignToken(token)).toBeNull();
    expect(standin.calls[VALIDATE]).toBe(2);
  });

  test("a token validated at login is already cached", async () => {
    const { provider } = providerFor(standin.url);
    const login = await provider.login(ALICE.username, ALICE.password);

    await provider.verifyForeignToken(login?.token ?? "");

    expect(standin.calls[VALIDATE]).toBe(1);
  });

  test("editing a returned identity does not edit the cached one", async () => {
    const { provider } = providerFor(standin.url);
    const token = standin.issueToken(ALICE.username);

    const first = await provider.verifyForeignToken(token);
    first?.roles.push("owner");

    expect((await provider.verifyForeignToken(token))?.roles).toEqual(["admin"]);
  });

  test("no token or password reaches the log", async () => {
    const { provider, lines } = providerFor(standin.url);
    const token = standin.issueToken(ALICE.username);
    await provider.verifyForeignToken(token);
    await provider.verifyPassword(ALICE.username, ALICE.password);

    standin.mode = "error500";
    await provider.verifyPassword(ALICE.username, ALICE.password).catch(() => {});
    await provider.verifyForeignToken("mcias_secret_token").catch(() => {});

    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [token, ALICE.password, "mcias_secret_token"]) {
      expect(lines.join("\n")).not.toContain(secret);
    }
  });
});

describe("server URL", () => {
  test("plain HTTP is refused unless the service is on a loopback address", () => {
    expect(() => providerFor("http://mcias.example:8080")).toThrow(/https/);
    expect(() => providerFor("http://10.0.0.5")).toThrow(/https/);
    expect(() => providerFor("ftp://127.0.0.1")).toThrow(/https/);
    expect(() => providerFor("not a url")).toThrow(/not a URL/);
    expect(() => providerFor("https://user:pw@mcias.example")).toThrow(/credentials/);

    providerFor("http://127.0.0.1:9");
    providerFor("http://localhost:9");
    providerFor("http://[::1]:9");
    providerFor("https://mcias.example");
  });

  test("a trailing slash on the server URL is harmless", async () => {
    const { provider } = providerFor(`${standin.url}/`);

    expect(await provider.verifyPassword(ALICE.username, ALICE.password)).not.toBeNull();
    expect(standin.calls[LOGIN]).toBe(1);
  });
});

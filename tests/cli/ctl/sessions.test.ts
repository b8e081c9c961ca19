import { afterEach, expect, test } from "bun:test";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveConnection } from "../../../src/cli/ctl/connection.ts";
import { SessionStore, sessionsPath } from "../../../src/cli/ctl/sessions.ts";
import { makeTempFolder, removeFolder } from "../../helpers/test-registry.ts";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) removeFolder(folder);
});

function store(): SessionStore {
  const folder = makeTempFolder("mcr-ctl-sessions-");
  folders.push(folder);
  return new SessionStore(join(folder, "mcr", "sessions.json"));
}

const later = new Date(Date.now() + 3_600_000).toISOString();

test("the sessions file lives under XDG_CONFIG_HOME, else ~/.config", () => {
  expect(sessionsPath({ XDG_CONFIG_HOME: "/cfg" })).toBe("/cfg/mcr/sessions.json");
  expect(sessionsPath({ XDG_CONFIG_HOME: "relative" })).toEndWith("/.config/mcr/sessions.json");
});

test("a saved session is private, found by server, and forgotten on remove", () => {
  const sessions = store();
  sessions.save({ server: "http://a", token: "t", expires_at: later, username: "u" }, "grpc");
  expect(statSync(sessions.path).mode & 0o777).toBe(0o600);
  expect(sessions.find("http://a")?.token).toBe("t");
  expect(sessions.currentServer("grpc")).toBe("http://a");
  expect(sessions.currentServer("rest")).toBeNull();
  expect(sessions.remove("http://a")).toBe(true);
  expect(sessions.find("http://a")).toBeNull();
  // The server stays current, so the next command says "not logged in" to it.
  expect(sessions.currentServer("grpc")).toBe("http://a");
});

test("flags win over the environment, which wins over the saved login", () => {
  const sessions = store();
  sessions.save(
    { server: "http://saved", token: "saved", expires_at: later, username: "u" },
    "rest",
  );
  const env = { MCR_SERVER: "http://env", MCR_TOKEN: "env" };
  expect(resolveConnection({ server: "http://flag", token: "flag" }, env, sessions)).toMatchObject({
    server: "http://flag",
    token: "flag",
  });
  expect(resolveConnection({}, env, sessions)).toMatchObject({
    server: "http://env",
    token: "env",
  });
  expect(resolveConnection({}, {}, sessions)).toMatchObject({
    transport: "rest",
    server: "http://saved",
    token: "saved",
  });
  expect(resolveConnection({ grpc: true }, {}, sessions)).toMatchObject({
    server: "http://127.0.0.1:9443",
    token: null,
  });
});

test("an expired saved session sends no token", () => {
  const sessions = store();
  const past = new Date(Date.now() - 1000).toISOString();
  sessions.save({ server: "http://old", token: "t", expires_at: past, username: "u" }, "rest");
  expect(resolveConnection({}, {}, sessions).token).toBeNull();
});

test("a damaged sessions file is reported once and replaced by the next login", () => {
  const good = { server: "http://a", token: "t", expires_at: later, username: "u" };
  const damaged = [
    "garbage{",
    "null",
    '{"sessions":"x"}',
    '{"current":"x"}',
    '{"sessions":[]}',
    `{"sessions":{"http://b":"x"},"current":{"rest":5}}`,
  ];
  for (const text of damaged) {
    const warnings: string[] = [];
    const folder = makeTempFolder("mcr-ctl-sessions-");
    folders.push(folder);
    const path = join(folder, "sessions.json");
    writeFileSync(path, text);
    const sessions = new SessionStore(path, (message) => warnings.push(message));

    expect(sessions.find("http://b")).toBeNull();
    sessions.save(good, "rest");
    expect(sessions.find("http://a")?.token).toBe("t");
    expect(sessions.currentServer("rest")).toBe("http://a");
    expect(warnings).toEqual([`${path} is damaged; the next login replaces it`]);
    expect(JSON.parse(readFileSync(path, "utf8")).sessions).toEqual({ "http://a": good });
  }
});

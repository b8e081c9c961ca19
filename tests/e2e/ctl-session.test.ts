import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  ADMIN_PASSWORD,
  type CtlServer,
  closedServerUrl,
  ctl,
  jsonOf,
  runCtlBinary,
  startCtlServer,
  TRANSPORTS,
} from "./ctl-harness.ts";

let server: CtlServer;
beforeAll(async () => {
  server = await startCtlServer();
});
afterAll(() => server.stop());

describe.each(TRANSPORTS)("over %s", (transport) => {
  test("login saves a 0600 session that later commands use, logout ends it", async () => {
    const config = server.configFolder();
    const env = { XDG_CONFIG_HOME: config };
    const login = await ctl(
      server,
      transport,
      ["login", "--username", "admin", "--password-stdin"],
      { token: null, stdin: `${ADMIN_PASSWORD}\n`, env },
    );
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(/^logged in as admin until \d{4}-\d\d-\d\d \d\d:\d\d UTC\n$/);

    const file = join(config, "mcr", "sessions.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(config, "mcr")).mode & 0o777).toBe(0o700);

    // No --server and no --token: both come from the saved login.
    const status = await ctl(server, transport, ["status", "--json"], {
      token: null,
      noServer: true,
      env,
    });
    expect(jsonOf(status).status).toBe("ok");

    const logout = await ctl(server, transport, ["logout"], { token: null, noServer: true, env });
    expect(logout.code).toBe(0);
    expect(logout.stdout).toBe(`logged out of ${server.urls[transport]}\n`);

    const after = await ctl(server, transport, ["repo", "list"], {
      token: null,
      noServer: true,
      env,
    });
    expect(after.code).toBe(1);
    expect(after.stderr).toBe("mcr ctl: not logged in or the token expired; run `mcr ctl login`\n");
  });

  test("logout revokes the saved session even when MCR_TOKEN carries an API token", async () => {
    const config = server.configFolder();
    const login = await ctl(
      server,
      transport,
      ["login", "--username", "admin", "--password-stdin"],
      { token: null, stdin: `${ADMIN_PASSWORD}\n`, env: { XDG_CONFIG_HOME: config } },
    );
    expect(login.code).toBe(0);
    const saved = JSON.parse(readFileSync(join(config, "mcr", "sessions.json"), "utf8")) as {
      sessions: Record<string, { token: string }>;
    };
    const sessionToken = saved.sessions[server.urls[transport]]?.token ?? "";
    expect(sessionToken).toStartWith("mcr_");

    const issued = await fetch(`${server.urls.rest}/v1/accounts/admin/tokens`, {
      method: "POST",
      headers: { Authorization: server.adminBasic, "Content-Type": "application/json" },
      body: JSON.stringify({ description: "script" }),
    });
    const apiToken = ((await issued.json()) as { token: string }).token;

    const env = { XDG_CONFIG_HOME: config, MCR_TOKEN: apiToken };
    const logout = await ctl(server, transport, ["logout"], { token: null, noServer: true, env });
    expect(logout.code).toBe(0);
    expect(logout.stdout).toBe(`logged out of ${server.urls[transport]}\n`);

    // The forgotten session no longer works; the API token was not logged out.
    const statusWith = async (token: string) =>
      (
        await fetch(`${server.urls.rest}/v1/accounts`, {
          headers: { Authorization: `Bearer ${token}` },
        })
      ).status;
    expect(await statusWith(sessionToken)).toBe(401);
    expect(await statusWith(apiToken)).toBe(200);

    // With nothing saved, an API token is not a session to end: said so, not "forgot it".
    const again = await ctl(server, transport, ["logout"], { token: apiToken, env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("not a live session token");
  });

  test("login refuses a wrong password, and asks for --password-stdin off a terminal", async () => {
    const env = { XDG_CONFIG_HOME: server.configFolder() };
    const wrong = await ctl(
      server,
      transport,
      ["login", "--username", "admin", "--password-stdin"],
      { token: null, stdin: "not the password\n", env },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe("mcr ctl: invalid username or password\n");

    const noTerminal = await ctl(server, transport, ["login", "--username", "admin"], {
      token: null,
      env,
    });
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain("pass --password-stdin");
  });

  test("status shows health, version, repositories, storage and GC state", async () => {
    const human = await ctl(server, transport, ["status"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`server:        ${server.urls[transport]}\n`);
    expect(human.stdout).toContain("status:        ok\n");
    expect(human.stdout).toMatch(/version: +\d+\.\d+\.\d+\n/);
    expect(human.stdout).toContain("repositories:  0\n");
    expect(human.stdout).toContain("storage:       0 B\n");
    expect(human.stdout).toContain("gc:            idle\n");

    const json = jsonOf(await ctl(server, transport, ["status", "--json"]));
    expect(json).toMatchObject({
      server: server.urls[transport],
      status: "ok",
      repository_count: 0,
      storage_bytes: 0,
      gc: { state: "idle", phase: null, current: null },
    });
  });

  test("a wrong token, a non-admin and a missing server each fail with one line", async () => {
    const bogus = await ctl(server, transport, ["repo", "list"], { token: "mcr_bogus" });
    expect(bogus.code).toBe(1);
    expect(bogus.stderr).toBe("mcr ctl: not logged in or the token expired; run `mcr ctl login`\n");

    const nowhere = closedServerUrl();
    const down = await ctl(server, transport, ["status"], {
      env: { MCR_SERVER: nowhere },
      noServer: true,
    });
    expect(down.code).toBe(1);
    expect(down.stdout).toBe("");
    expect(down.stderr).toBe(`mcr ctl: cannot reach ${nowhere}: connection refused\n`);
  });
});

test("login while the account is locked out says so and when to retry, on both transports", async () => {
  for (const transport of TRANSPORTS) {
    const username = `guessed-${transport}`;
    const created = await fetch(`${server.urls.rest}/v1/accounts`, {
      method: "POST",
      headers: { Authorization: server.adminBasic, "Content-Type": "application/json" },
      body: JSON.stringify({ username, account_type: "human", password: ADMIN_PASSWORD }),
    });
    expect(created.status).toBe(201);
    // The default limit: ten wrong passwords within the window, here all at once.
    const guesses = Array.from({ length: 10 }, (_, i) =>
      fetch(`${server.urls.rest}/v1/auth/login`, {
        method: "POST",
        body: JSON.stringify({ username, password: `guess ${i}` }),
      }),
    );
    for (const wrong of await Promise.all(guesses)) expect(wrong.status).toBe(401);
    const login = await ctl(
      server,
      transport,
      ["login", "--username", username, "--password-stdin"],
      {
        token: null,
        stdin: `${ADMIN_PASSWORD}\n`,
        env: { XDG_CONFIG_HOME: server.configFolder() },
      },
    );
    expect(login.code).toBe(1);
    expect(login.stderr).toMatch(
      /^mcr ctl: too many failed logins for this account; try again in \d+ s\n$/,
    );
  }
}, 30_000);

test("a robot's token is refused admin commands with what it lacks", async () => {
  const created = await ctl(server, "rest", ["account", "create", "robot", "--type", "system"]);
  expect(created.code).toBe(0);
  const token = (await ctl(server, "rest", ["token", "create", "robot"])).stdout.trim();
  for (const transport of TRANSPORTS) {
    const refused = await ctl(server, transport, ["repo", "list"], { token });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe("mcr ctl: admin only: robot is not an admin\n");
    const policy = await ctl(server, transport, ["policy", "list"], { token });
    expect(policy.stderr).toStartWith("mcr ctl: not allowed: robot may not policy:manage");
  }
});

test("the gRPC transport pointed at the REST listener says so", async () => {
  const mixed = await runCtlBinary(["ctl", "--grpc", "--server", server.urls.rest, "status"], {
    cwd: server.cwd,
  });
  expect(mixed.code).toBe(1);
  expect(mixed.stderr).toContain("it does not speak gRPC (is this the RPC listener?)");
});

describe("usage", () => {
  const run = (...argv: string[]) => runCtlBinary(["ctl", ...argv], { cwd: server.cwd });

  test("--help at every level exits 0 and lists what is there", async () => {
    const root = await run("--help");
    expect(root.code).toBe(0);
    for (const word of ["login", "status", "repo", "policy", "audit", "gc", "account", "token"]) {
      expect(root.stdout).toContain(word);
    }
    const policy = await run("policy", "--help");
    expect(policy.stdout).toContain("mcr ctl policy");
    const create = await run("policy", "create", "--help");
    expect(create.stdout).toContain("--rule-file");
    expect(create.stdout).toContain("--grpc");
    const top = await runCtlBinary(["--help"], { cwd: server.cwd });
    expect(top.stdout).toContain("ctl");
  });

  test("command line mistakes exit 2 with the mistake and where help is", async () => {
    const cases: Array<[string[], string]> = [
      [["bogus"], '"bogus" is not a command of mcr ctl'],
      [["repo", "bogus"], '"bogus" is not a command of mcr ctl repo (one of list, show, delete)'],
      [["repo"], "missing command: one of list, show, delete"],
      [["repo", "show"], "missing argument <name>"],
      [["status", "--bogus"], "unknown option --bogus"],
      [["status", "--server"], "--server needs a value"],
      [["status", "extra"], 'unexpected argument "extra"'],
      [["status", "--server", "ftp://x"], 'invalid server "ftp://x"'],
      [["policy", "show", "abc"], 'a rule id is a whole number, got "abc"'],
      [["audit", "tail", "--n", "lots"], "--n must be a whole number"],
    ];
    for (const [argv, message] of cases) {
      const result = await run(...argv);
      expect({ argv, code: result.code }).toEqual({ argv, code: 2 });
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(message);
      expect(result.stderr).toMatch(/\nsee `mcr ctl[a-z ]* --help`\n$/);
    }
  });
});

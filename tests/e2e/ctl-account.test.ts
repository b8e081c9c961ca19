import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { basic, bearer } from "../helpers/auth.ts";
import {
  type CtlServer,
  ctl,
  ctlInTerminal,
  jsonOf,
  startCtlServer,
  TRANSPORTS,
} from "./ctl-harness.ts";

interface Token {
  id: string;
  kind: string;
  description: string;
  revoked: boolean;
  expires_at: string | null;
}

let server: CtlServer;
beforeAll(async () => {
  server = await startCtlServer();
});
afterAll(() => server.stop());

/** The status of GET /v2/ with these credentials. */
async function v2Status(authorization: string): Promise<number> {
  return (await fetch(`${server.urls.rest}/v2/`, { headers: { Authorization: authorization } }))
    .status;
}

describe.each(TRANSPORTS)("over %s", (transport) => {
  const person = `alice-${transport}`;
  const robot = `robot-${transport}`;

  test("account create, list, disable, enable and passwd", async () => {
    const created = await ctl(
      server,
      transport,
      ["account", "create", person, "--role", "admin", "--password-stdin"],
      { stdin: "first long password\n" },
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(
      new RegExp(`^created human account ${person} \\(id [0-9a-f-]{36}\\)\\n$`),
    );
    expect(await v2Status(basic(person, "first long password"))).toBe(200);

    const system = jsonOf(
      await ctl(server, transport, ["account", "create", robot, "--type", "system", "--json"]),
    );
    expect(system).toMatchObject({
      username: robot,
      account_type: "system",
      roles: [],
      disabled: false,
    });

    const list = await ctl(server, transport, ["account", "list"]);
    expect(list.stdout.split("\n")[0]).toMatch(/^USERNAME +TYPE +ROLES +STATE +CREATED +ID$/);
    expect(list.stdout).toMatch(new RegExp(`\\n${person} +human +admin +enabled +just now `));

    expect((await ctl(server, transport, ["account", "disable", person])).stdout).toBe(
      `disabled account ${person}; its tokens are revoked\n`,
    );
    expect(await v2Status(basic(person, "first long password"))).toBe(401);
    expect((await ctl(server, transport, ["account", "enable", person])).code).toBe(0);

    const changed = await ctl(
      server,
      transport,
      ["account", "passwd", person, "--password-stdin"],
      {
        stdin: "second long password\n",
      },
    );
    expect(changed.stdout).toBe(`changed the password of ${person}; its tokens are revoked\n`);
    expect(await v2Status(basic(person, "second long password"))).toBe(200);

    const short = await ctl(server, transport, ["account", "passwd", person, "--password-stdin"], {
      stdin: "short\n",
    });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("at least 12 characters");
    const duplicate = await ctl(server, transport, [
      "account",
      "create",
      robot,
      "--type",
      "system",
    ]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toBe(`mcr ctl: account ${robot} already exists\n`);
    const badType = await ctl(server, transport, ["account", "create", "x", "--type", "robot"]);
    expect(badType.code).toBe(2);
  });

  test("token create prints the secret alone, list hides it, revoke ends it", async () => {
    const created = await ctl(server, transport, ["token", "create", robot, "--description", "CI"]);
    expect(created.code).toBe(0);
    const secret = created.stdout.trim();
    expect(created.stdout).toMatch(/^mcr_\S+\n$/);
    expect(created.stderr).toContain("the secret is shown only once");
    expect(await v2Status(bearer(secret))).toBe(200);

    const expiring = jsonOf<{ id: string; token: string; expires_at: string }>(
      await ctl(server, transport, ["token", "create", robot, "--ttl", "90d", "--json"]),
    );
    expect(Date.parse(expiring.expires_at) - Date.now()).toBeGreaterThan(89 * 86_400_000);

    const listed = jsonOf<{ tokens: Token[] }>(
      await ctl(server, transport, ["token", "list", robot, "--json"]),
    );
    const ci = listed.tokens.find((token) => token.description === "CI");
    expect(ci).toMatchObject({ kind: "api", revoked: false, expires_at: null });
    const table = await ctl(server, transport, ["token", "list", robot]);
    expect(table.stdout).not.toContain(secret);
    expect(table.stdout).toMatch(/\n\S+ +api +active +just now .* +never +CI\n/);

    const revoked = await ctl(server, transport, ["token", "revoke", robot, ci?.id ?? ""]);
    expect(revoked.stdout).toBe(`revoked token ${ci?.id} of ${robot}\n`);
    expect(await v2Status(bearer(secret))).toBe(401);

    const badTtl = await ctl(server, transport, ["token", "create", robot, "--ttl", "forever"]);
    expect(badTtl.code).toBe(1);
    expect(badTtl.stderr).toBe(
      "mcr ctl: ttl must be a duration such as 90d, or absent for no expiry\n",
    );
  });
});

test("on a terminal the password is asked twice and never echoed", async () => {
  const typed = "typed long password";
  const session = await ctlInTerminal(
    server,
    "rest",
    ["account", "create", "bob"],
    [
      ["Password: ", typed],
      ["Repeat the password: ", typed],
    ],
  );
  expect(session.code).toBe(0);
  expect(session.screen).toContain("created human account bob");
  expect(session.screen).not.toContain(typed);
  expect(await v2Status(basic("bob", typed))).toBe(200);

  const differ = await ctlInTerminal(
    server,
    "grpc",
    ["account", "passwd", "bob"],
    [
      ["New password for bob: ", "one long password"],
      ["Repeat the password: ", "another long password"],
    ],
  );
  expect(differ.code).toBe(1);
  expect(differ.screen).toContain("the two passwords differ; nothing was changed");
});

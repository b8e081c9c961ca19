import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type CtlServer,
  ctl,
  jsonOf,
  startCtlServer,
  TRANSPORTS,
  writeFile,
} from "./ctl-harness.ts";

interface Rule {
  id: number;
  priority: number;
  effect: string;
  subjects: string[];
  roles: string[];
  actions: string[];
  repositories: string[];
  description: string;
  enabled: boolean;
  builtin: boolean;
}

let server: CtlServer;
let robotId: string;
beforeAll(async () => {
  server = await startCtlServer();
  const robot = await ctl(server, "rest", [
    "account",
    "create",
    "ci",
    "--type",
    "system",
    "--json",
  ]);
  robotId = jsonOf<{ id: string }>(robot).id;
});
afterAll(() => server.stop());

describe.each(TRANSPORTS)("over %s", (transport) => {
  test("create, show, update, disable, enable and delete a rule", async () => {
    const created = jsonOf<Rule>(
      await ctl(server, transport, [
        "policy",
        "create",
        "--priority",
        "10",
        "--effect",
        "allow",
        "--subject",
        robotId,
        "--action",
        "registry:push,registry:pull",
        "--repo",
        `${transport}/**`,
        "--description",
        `ci pushes ${transport}`,
        "--json",
      ]),
    );
    expect(created).toMatchObject({
      priority: 10,
      effect: "allow",
      subjects: [robotId],
      actions: ["registry:push", "registry:pull"],
      repositories: [`${transport}/**`],
      enabled: true,
      builtin: false,
    });
    const id = String(created.id);

    const shown = await ctl(server, transport, ["policy", "show", id]);
    expect(shown.stdout).toContain(`repositories:   ${transport}/**\n`);
    expect(shown.stdout).toContain("state:          enabled\n");

    // Only the fields given change; an empty value clears a list.
    const updated = jsonOf<Rule>(
      await ctl(server, transport, [
        "policy",
        "update",
        id,
        "--priority",
        "20",
        "--action",
        "registry:pull",
        "--action",
        "registry:push",
        "--role",
        "",
        "--json",
      ]),
    );
    expect(updated).toMatchObject({
      priority: 20,
      actions: ["registry:pull", "registry:push"],
      roles: [],
      repositories: [`${transport}/**`],
      description: `ci pushes ${transport}`,
    });

    expect((await ctl(server, transport, ["policy", "disable", id])).stdout).toBe(
      `disabled rule ${id}\n`,
    );
    expect(
      jsonOf<Rule>(await ctl(server, transport, ["policy", "show", id, "--json"])).enabled,
    ).toBe(false);
    expect((await ctl(server, transport, ["policy", "enable", id])).stdout).toBe(
      `enabled rule ${id}\n`,
    );

    const unconfirmed = await ctl(server, transport, ["policy", "delete", id]);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toBe(
      `mcr ctl: not deleting rule ${id} (ci pushes ${transport}) without confirmation: pass --yes\n`,
    );
    const deleted = await ctl(server, transport, ["policy", "delete", id, "--yes"]);
    expect(deleted.stdout).toBe(`deleted rule ${id}\n`);
    const gone = await ctl(server, transport, ["policy", "show", id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(`mcr ctl: policy rule ${id} does not exist\n`);
  });

  test("--rule-file gives the fields and flags win over it", async () => {
    const file = writeFile(
      server,
      `rule-${transport}.json`,
      JSON.stringify({
        priority: 5,
        effect: "deny",
        account_types: ["system"],
        actions: ["registry:delete"],
        repositories: ["release/**"],
        description: "from the file",
      }),
    );
    const rule = jsonOf<Rule>(
      await ctl(server, transport, [
        "policy",
        "create",
        "--rule-file",
        file,
        "--description",
        "no robot deletes a release",
        "--json",
      ]),
    );
    expect(rule).toMatchObject({
      priority: 5,
      effect: "deny",
      description: "no robot deletes a release",
    });

    const fromStdin = await ctl(
      server,
      transport,
      ["policy", "update", String(rule.id), "--rule-file", "-"],
      {
        stdin: '{"priority": 6}',
      },
    );
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toContain("priority:       6\n");
    await ctl(server, transport, ["policy", "delete", String(rule.id), "--yes"]);
  });

  test("invalid rules are refused naming the field", async () => {
    const cases: Array<[string[], string | undefined, string]> = [
      [
        ["--rule-file", "-"],
        '{"priority": "high"}',
        "--rule-file -: priority must be a whole number",
      ],
      [["--rule-file", "-"], '{"subject": ["x"]}', "--rule-file -: subject is not a rule field"],
      [["--rule-file", "-"], "not json", "--rule-file - is not JSON"],
      [["--priority", "1", "--effect", "maybe"], undefined, 'effect must be "allow" or "deny"'],
    ];
    for (const [flags, stdin, message] of cases) {
      const result = await ctl(server, transport, ["policy", "create", ...flags], { stdin });
      expect(result.code).toBe(1);
      expect(result.stderr).toStartWith("mcr ctl: ");
      expect(result.stderr).toContain(message);
      expect(result.stderr.split("\n").length).toBe(2);
    }
    const noEffect = await ctl(server, transport, ["policy", "create", "--priority", "1"]);
    expect(noEffect.code).toBe(1);
    expect(noEffect.stderr).toContain("effect");

    const builtIn = await ctl(server, transport, ["policy", "delete", "-1", "--yes"]);
    expect(builtIn.code).toBe(1);
    expect(builtIn.stderr).toBe(
      "mcr ctl: not allowed: policy rule -1 is built in and cannot be changed\n",
    );
    const notNumber = await ctl(server, transport, ["policy", "create", "--priority", "high"]);
    expect(notNumber.code).toBe(2);
  });

  test("policy test prints the decision and the deciding rule", async () => {
    const created = jsonOf<Rule>(
      await ctl(server, transport, [
        "policy",
        "create",
        "--priority",
        "10",
        "--effect",
        "allow",
        "--subject",
        robotId,
        "--action",
        "registry:push",
        "--repo",
        "team/**",
        "--description",
        "ci pushes team",
        "--json",
      ]),
    );
    const allowed = await ctl(server, transport, [
      "policy",
      "test",
      "--subject",
      "ci",
      "--action",
      "registry:push",
      "--repo",
      "team/app",
    ]);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toStartWith(
      "decision:       allowed\n" +
        `reason:         allowed by rule ${created.id} (ci pushes team)\n` +
        `deciding rule:  ${created.id} (ci pushes team)\n\napplicable rules:\nID `,
    );

    const denied = jsonOf<{ allowed: boolean; rule: Rule | null }>(
      await ctl(server, transport, [
        "policy",
        "test",
        "--subject",
        "ci",
        "--action",
        "registry:push",
        "--repo",
        "other/app",
        "--json",
      ]),
    );
    expect(denied).toMatchObject({ allowed: false, rule: null });

    const missing = await ctl(server, transport, ["policy", "test", "--subject", "ci"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--action");
    await ctl(server, transport, ["policy", "delete", String(created.id), "--yes"]);
  });
});

test("policy list prints the same table and JSON over both transports", async () => {
  const rest = await ctl(server, "rest", ["policy", "list"]);
  expect(rest.stdout.split("\n")[0]).toMatch(
    /^ID +PRIORITY +EFFECT +STATE +WHO +ACTIONS +REPOSITORIES +DESCRIPTION$/,
  );
  expect(rest.stdout).toMatch(
    /\n-1 +0 +allow +built-in +role:admin +\* +\* +admins may do everything\n/,
  );
  expect((await ctl(server, "grpc", ["policy", "list"])).stdout).toBe(rest.stdout);
  const restJson = jsonOf<{ rules: Rule[] }>(
    await ctl(server, "rest", ["policy", "list", "--json"]),
  );
  const grpcJson = jsonOf(await ctl(server, "grpc", ["policy", "list", "--json"]));
  expect(grpcJson).toEqual(restJson);
  expect(restJson.rules.some((rule) => rule.builtin)).toBe(true);
});

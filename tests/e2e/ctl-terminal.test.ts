/**
 * `mcr ctl` at a terminal and in a pipeline, against a served registry: text a hostile
 * client put into the audit trail reaches the screen escaped, prompts end cleanly on Ctrl-C
 * and Ctrl-D, and a reader that leaves early (`| head -1`) ends the command.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { basic } from "../helpers/auth.ts";
import { rawControlCharacters } from "../helpers/control-characters.ts";
import { runInTerminal } from "../helpers/pseudo-terminal.ts";
import {
  ADMIN_PASSWORD,
  type CtlServer,
  ctl,
  runCtlBinary,
  startCtlServer,
} from "./ctl-harness.ts";
import { MCR_BINARY } from "./mcr-process.ts";

/** A user name that clears the screen and forges a second line wherever it is printed raw. */
const HOSTILE_USER = "evil\u001b[2J\u009b31m\u202e\nforged INFO  login succeeded";

let server: CtlServer;
beforeAll(async () => {
  server = await startCtlServer();
  await failLogin(HOSTILE_USER);
});
afterAll(() => server.stop());

/** A /v2 request with a wrong password: a login_failed audit event and a warning line. */
async function failLogin(username: string): Promise<void> {
  const response = await fetch(`${server.mcr.url}/v2/`, {
    headers: { Authorization: basic(username, "wrong") },
  });
  await response.body?.cancel();
}

test("audit text from a client reaches the terminal and the log escaped; JSON stays exact", async () => {
  const human = await ctl(server, "rest", ["audit", "tail", "--event-type", "login_failed"]);
  expect(human.code).toBe(0);
  expect(rawControlCharacters(human.stdout, true)).toEqual([]);
  expect(human.stdout).toContain("evil\\x1b[2J\\x9b31m\\u202e\\x0aforged INFO  login succeeded");
  expect(human.stdout.trimEnd().split("\n")).toHaveLength(2);

  const json = await ctl(server, "grpc", [
    "audit",
    "tail",
    "--event-type",
    "login_failed",
    "--json",
  ]);
  expect(JSON.parse(json.stdout).events[0].actor).toBe(HOSTILE_USER);

  const log = server.mcr.log();
  expect(rawControlCharacters(log, true)).toEqual([]);
  expect(log).not.toMatch(/^forged/m);
  expect(log).toContain(
    'username="evil\\u001b[2J\\u009b31m\\u202e\\nforged INFO  login succeeded"',
  );
});

test("--since far beyond 1970 lists every event instead of failing", async () => {
  const result = await ctl(server, "rest", ["audit", "tail", "--since", "999999999d", "--json"]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout).events.length).toBeGreaterThan(0);
});

test("a damaged sessions file is replaced by the next login, with a warning", async () => {
  const config = server.configFolder();
  mkdirSync(join(config, "mcr"));
  writeFileSync(join(config, "mcr", "sessions.json"), '{"sessions":"x","current":"y"}');
  const env = { XDG_CONFIG_HOME: config };
  const argv = ["ctl", "--server", server.urls.rest];
  const login = await runCtlBinary([...argv, "login", "--username", "admin", "--password-stdin"], {
    cwd: server.cwd,
    stdin: ADMIN_PASSWORD,
    env,
  });
  expect(login.stderr).toContain("sessions.json is damaged; the next login replaces it");
  expect(login.code).toBe(0);
  const list = await runCtlBinary(["ctl", "repo", "list"], { cwd: server.cwd, env });
  expect(list.output).toBe("no repositories\n");
});

describe("prompts at a terminal", () => {
  const login = (args: string[] = []) => [
    MCR_BINARY,
    "ctl",
    "--server",
    server.urls.rest,
    "login",
    ...args,
  ];
  const env = () => ({ XDG_CONFIG_HOME: server.configFolder() });

  for (const [prompt, args] of [
    ["Username: ", []],
    ["Password: ", ["--username", "admin"]],
  ] as Array<[string, string[]]>) {
    test(`Ctrl-C at "${prompt}" exits 130 with the echo back on`, async () => {
      const run = await runInTerminal(login(args), [[prompt, "ad\u0003"]], {
        cwd: server.cwd,
        env: env(),
      });
      expect(run.killed).toBe(false);
      expect(run.code).toBe(130);
      expect(run.echo).toBe(true);
    });

    test(`Ctrl-D at "${prompt}" aborts with exit 1`, async () => {
      const run = await runInTerminal(login(args), [[prompt, "\u0004"]], {
        cwd: server.cwd,
        env: env(),
      });
      expect(run.killed).toBe(false);
      expect(run.code).toBe(1);
      expect(run.screen).toContain("mcr ctl: aborted: no answer was given");
      expect(run.echo).toBe(true);
    });
  }
});

test("audit tail --follow | head -1 ends once head has gone", async () => {
  const argv = [
    MCR_BINARY,
    "ctl",
    "--server",
    server.urls.rest,
    "--token",
    server.adminToken,
    "audit",
    "tail",
    "--n",
    "1",
    "--follow",
  ];
  const quoted = argv.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(" ");
  const pipeline = Bun.spawn(
    ["bash", "-c", `${quoted} 2>ctl-stderr.txt | head -1; echo "ctl exit \${PIPESTATUS[0]}" >&2`],
    { cwd: server.cwd, stdout: "pipe", stderr: "pipe" },
  );
  // New events make --follow write again, into the pipe head has closed.
  const deadline = Date.now() + 8_000;
  while (pipeline.exitCode === null && Date.now() < deadline) {
    await failLogin("nobody");
    await Bun.sleep(200);
  }
  if (pipeline.exitCode === null) pipeline.kill("SIGKILL");
  const [stdout, stderr] = await Promise.all([
    new Response(pipeline.stdout).text(),
    new Response(pipeline.stderr).text(),
  ]);
  expect(stdout.split("\n")).toHaveLength(2);
  expect(stderr).toBe("ctl exit 0\n");
  expect(await Bun.file(join(server.cwd, "ctl-stderr.txt")).text()).toBe("");
}, 15_000);

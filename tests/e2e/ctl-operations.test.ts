import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pushImageAs } from "../helpers/auth.ts";
import { type CtlServer, ctl, jsonOf, startCtlServer, TRANSPORTS } from "./ctl-harness.ts";
import { MCR_BINARY } from "./mcr-process.ts";

interface AuditEvent {
  id: number;
  event_type: string;
  actor: string | null;
  repository: string | null;
}

let server: CtlServer;
beforeAll(async () => {
  server = await startCtlServer();
  await pushImageAs(server.urls.rest, "team/app", "v1", server.adminBasic);
  await ctl(server, "rest", ["account", "create", "ci", "--type", "system"]);
});
afterAll(() => server.stop());

describe.each(TRANSPORTS)("over %s", (transport) => {
  test("audit tail shows the latest events oldest first, filtered", async () => {
    const human = await ctl(server, transport, ["audit", "tail", "--n", "3"]);
    expect(human.code).toBe(0);
    const lines = human.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TIME +AGE +EVENT +ACTOR +ADDRESS +REPOSITORY +DETAILS$/);
    expect(lines.length).toBe(4);
    expect(lines[1]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC +(just now|\d+ seconds? ago) +\w+/,
    );
    // Who did it from where: the address column holds an address or "-" (no client).
    expect(human.stdout).toMatch(/ 127\.0\.0\.1 /);

    const all = jsonOf<{ events: AuditEvent[] }>(
      await ctl(server, transport, ["audit", "tail", "--n", "1000", "--json"]),
    );
    const ids = all.events.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const pushes = jsonOf<{ events: AuditEvent[] }>(
      await ctl(server, transport, [
        "audit",
        "tail",
        "--event-type",
        "manifest_pushed",
        "--repo",
        "team/app",
        "--actor",
        "admin",
        "--since",
        "1h",
        "--json",
      ]),
    );
    expect(pushes.events.length).toBe(1);
    expect(pushes.events[0]).toMatchObject({
      event_type: "manifest_pushed",
      repository: "team/app",
    });

    const future = jsonOf<{ events: AuditEvent[] }>(
      await ctl(server, transport, ["audit", "tail", "--since", "2999-01-01T00:00:00Z", "--json"]),
    );
    expect(future.events).toEqual([]);
    const badSince = await ctl(server, transport, ["audit", "tail", "--since", "yesterday"]);
    expect(badSince.code).toBe(2);
  });

  test("audit tail --follow prints new events as they happen", async () => {
    const child = Bun.spawn(
      [
        MCR_BINARY,
        "ctl",
        ...(transport === "grpc" ? ["--grpc"] : []),
        "--server",
        server.urls[transport],
        "--token",
        server.adminToken,
        "audit",
        "tail",
        "--n",
        "1",
        "--follow",
        "--json",
        "--event-type",
        "account_created",
      ],
      { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin" } },
    );
    try {
      const reader = child.stdout.getReader();
      const decoder = new TextDecoder();
      let text = "";
      const readLine = async () => {
        while (!text.includes("\n")) {
          const { value, done } = await reader.read();
          if (done) throw new Error("follow ended");
          text += decoder.decode(value);
        }
        const line = text.slice(0, text.indexOf("\n"));
        text = text.slice(text.indexOf("\n") + 1);
        return JSON.parse(line) as AuditEvent & { details: { username: string } };
      };
      // The newest account_created so far comes first; then each new one as it happens.
      expect((await readLine()).event_type).toBe("account_created");
      await ctl(server, "rest", ["account", "create", `followed-${transport}`, "--type", "system"]);
      expect((await readLine()).details.username).toBe(`followed-${transport}`);
    } finally {
      child.kill();
      await child.exited;
    }
  });

  test("gc starts a collection; --wait reports it; gc status shows the last", async () => {
    const started = await ctl(server, transport, ["gc", "--json"]);
    expect(jsonOf(started)).toHaveProperty("state");

    const waited = await ctl(server, transport, ["gc", "--wait", "--reconcile"]);
    if (waited.code !== 0) {
      // The collection just started may still run: that is a conflict, said in one line.
      expect(waited.stderr).toMatch(/^mcr ctl: .*running.*\n$/);
      await Bun.sleep(500);
    }
    const report = await ctl(server, transport, ["gc", "--wait", "--reconcile"]);
    expect(report.code).toBe(0);
    expect(report.stdout).toStartWith("garbage collection finished\n");
    expect(report.stdout).toContain("reconcile:             yes\n");
    expect(report.stdout).toMatch(/freed: +\d+(\.\d)? (B|KiB|MiB)\n/);

    const status = jsonOf<{ state: string; last: { reconcile: boolean } }>(
      await ctl(server, transport, ["gc", "status", "--json"]),
    );
    expect(status).toMatchObject({ state: "idle", last: { reconcile: true } });
    const human = await ctl(server, transport, ["gc", "status"]);
    expect(human.stdout).toStartWith("state:  idle\n\nlast collection:\n  started:  ");

    // One run with its own grace period, as on a full disk; a wrong one is refused.
    const quick = await ctl(server, transport, ["gc", "--wait", "--grace", "0s", "--json"]);
    expect(jsonOf(quick)).toMatchObject({ last: { grace_period_seconds: 0 } });
    const wrong = await ctl(server, transport, ["gc", "--grace", "soon"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("grace_period must be a duration");
  });

  test("snapshot writes a copy on the server's disk and says where", async () => {
    const human = await ctl(server, transport, ["snapshot"]);
    expect(human.code).toBe(0);
    const path = /^snapshot written to (\S+) \(\d+\.\d KiB\)\n$/.exec(human.stdout)?.[1] ?? "";
    expect(path).toStartWith(join(server.cwd, "data", "snapshots", "mcr-"));
    expect(existsSync(path)).toBe(true);

    const json = jsonOf<{ path: string; size: number; pruned: string[] }>(
      await ctl(server, transport, ["snapshot", "--json"]),
    );
    expect(existsSync(json.path)).toBe(true);
    expect(json.size).toBeGreaterThan(0);
    expect(json.pruned).toEqual([]);
  });
});

test("status counts repositories and storage the same over both transports", async () => {
  const rest = jsonOf<Record<string, unknown>>(await ctl(server, "rest", ["status", "--json"]));
  const grpc = jsonOf<Record<string, unknown>>(await ctl(server, "grpc", ["status", "--json"]));
  expect(rest.repository_count).toBe(1);
  expect(rest.storage_bytes).toBeGreaterThan(0);
  expect({ ...grpc, server: null }).toEqual({ ...rest, server: null });
});

import { expect, test } from "bun:test";
import type { AuditEventJson, RepositoryJson } from "../../../src/cli/ctl/admin-shapes.ts";
import { describeEvents, eventLine } from "../../../src/cli/ctl/commands/audit-format.ts";
import { describeRepository } from "../../../src/cli/ctl/commands/repo.ts";
import { Output } from "../../../src/cli/ctl/output/output.ts";
import { formatFields, formatTable } from "../../../src/cli/ctl/output/table.ts";
import { rawControlCharacters } from "../../helpers/control-characters.ts";

const CLEAR_SCREEN = "\u001b[2J";

/** An event whose every field a hostile client or pusher could have chosen. */
const hostileEvent: AuditEventJson = {
  id: 1,
  time: "2026-12-04T15:16:09Z",
  event_type: "login_failed",
  actor: `evil${CLEAR_SCREEN}\nforged line`,
  repository: "team/app\u202eppa",
  digest: null,
  client_address: "127.0.0.1",
  details: { provider: "local\u009b31m", note: { text: "\r" } },
};

test("table cells and field values show control characters escaped", () => {
  const table = formatTable(["NAME"], [[`a${CLEAR_SCREEN}`], ["b\nc"]]);
  expect(table).toBe("NAME\na\\x1b[2J\nb\\x0ac");
  expect(formatFields([["name", "x\u202ey"]])).toBe("name:  x\\u202ey");
});

test("audit events, in a table or one a line, reach the terminal escaped", () => {
  const table = describeEvents([hostileEvent]);
  expect(rawControlCharacters(table, true)).toEqual([]);
  expect(table.split("\n")).toHaveLength(2);
  expect(table).toContain("evil\\x1b[2J\\x0aforged line");
  expect(table).toContain("provider=local\\x9b31m");

  const line = eventLine(hostileEvent, new Date("2026-12-04T15:19:30Z"));
  expect(line).not.toContain("\n");
  expect(rawControlCharacters(line)).toEqual([]);
  expect(line).toContain("team/app\\u202eppa");
});

test("a manifest's artifact type and platforms cannot start lines of their own", () => {
  const repository: RepositoryJson = {
    name: "team/app",
    tags: [],
    manifests: [
      {
        digest: `sha256:${"ab".repeat(32)}`,
        media_type: "application/vnd.oci.image.manifest.v1+json",
        size: 10,
        artifact_type: `application/x\n  subject: sha256:forged${CLEAR_SCREEN}`,
        subject: null,
        created_at: "2026-12-04T15:16:09Z",
        tags: [],
        platforms: ["linux/amd64\u202e"],
        referrers: [],
      },
    ],
  };
  const text = describeRepository(repository, new Date("2026-12-04T15:19:30Z"));
  expect(rawControlCharacters(text, true)).toEqual([]);
  expect(text).not.toMatch(/^ {2}subject:/m);
  expect(text).toContain("  artifact type: application/x\\x0a  subject: sha256:forged\\x1b[2J");
  expect(text).toContain("  platforms: linux/amd64\\u202e");
});

test("text for people is escaped on its way out; JSON is written exactly", () => {
  const written: string[] = [];
  const sink = { write: (text: string) => written.push(text) };
  new Output(false, sink, sink).result({}, () => `one\ntwo${CLEAR_SCREEN}`);
  new Output(false, sink, sink).item({}, () => "\u009b2J");
  new Output(false, sink, sink).note("\u001b]0;title\u0007");
  expect(written).toEqual(["one\ntwo\\x1b[2J\n", "\\x9b2J\n", "\\x1b]0;title\\x07\n"]);

  const json: string[] = [];
  new Output(true, { write: (text: string) => json.push(text) }).result(
    { actor: `evil${CLEAR_SCREEN}` },
    () => "",
  );
  expect(JSON.parse(json[0] ?? "")).toEqual({ actor: `evil${CLEAR_SCREEN}` });
});

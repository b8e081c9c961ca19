import { expect, test } from "bun:test";
import { parseSince } from "../../../src/cli/ctl/commands/audit.ts";
import { checkRuleJson } from "../../../src/cli/ctl/commands/rule-fields.ts";
import { parseTagReference } from "../../../src/cli/ctl/commands/tag.ts";
import { serverUrl } from "../../../src/cli/ctl/connection.ts";
import { CtlError, UsageError } from "../../../src/cli/ctl/errors.ts";

test("a tag reference splits at its last colon", () => {
  expect(parseTagReference("team/app:v1")).toEqual({ name: "team/app", tag: "v1" });
  // Dot segments would be folded away by the HTTP client and name another repository or
  // the repository itself; a registry host is not part of a repository name.
  for (const bad of [
    "team/app",
    ":v1",
    "team/app:",
    "host:5000/app",
    "host:5000/app:v1",
    "team/app:..",
    "team/app:.",
    "team/x/..:v1",
    "a/../b:v1",
  ]) {
    expect(() => parseTagReference(bad)).toThrow(UsageError);
  }
});

test("--since takes a duration ago or an RFC 3339 time", () => {
  const now = new Date("2026-12-04T12:00:00Z");
  expect(parseSince("2h", now)).toBe("2026-12-04T10:00:00.000Z");
  expect(parseSince("7d", now)).toBe("2026-11-27T12:00:00.000Z");
  expect(parseSince("2026-12-01T00:00:00+01:00", now)).toBe("2026-11-30T23:00:00.000Z");
  expect(() => parseSince("yesterday", now)).toThrow(UsageError);
});

test("--since reaching back before 1970 means every event, not a failure", () => {
  const now = new Date("2026-12-04T12:00:00Z");
  expect(parseSince("999999999d", now)).toBe("1970-01-01T00:00:00.000Z");
  expect(parseSince("30000d", now)).toBe("1970-01-01T00:00:00.000Z");
});

test("rule JSON is checked field by field", () => {
  expect(checkRuleJson({ priority: 1, actions: ["registry:pull"] }, "f")).toEqual({
    priority: 1,
    actions: ["registry:pull"],
  });
  expect(() => checkRuleJson([], "f")).toThrow(
    new CtlError("invalid", "f: expected a JSON object of rule fields"),
  );
  expect(() => checkRuleJson({ priority: 1.5 }, "f")).toThrow("f: priority must be a whole number");
  expect(() => checkRuleJson({ roles: "admin" }, "f")).toThrow(
    "f: roles must be a list of strings",
  );
  expect(() => checkRuleJson({ enabled: "yes" }, "f")).toThrow("f: enabled must be true or false");
  expect(() => checkRuleJson({ subject: [] }, "f")).toThrow("f: subject is not a rule field");
});

test("server URLs are normalised and checked", () => {
  expect(serverUrl("http://127.0.0.1:5000/")).toBe("http://127.0.0.1:5000");
  expect(serverUrl("https://registry.example/mcr/")).toBe("https://registry.example/mcr");
  for (const bad of ["127.0.0.1:5000", "ftp://x", "http://user:pw@x", "http://x/?q=1"]) {
    expect(() => serverUrl(bad)).toThrow(UsageError);
  }
});

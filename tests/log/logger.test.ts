import { describe, expect, test } from "bun:test";
import type { LogFormat, LogLevel } from "../../src/config/config.ts";
import { createLogger, silentLogger } from "../../src/log/logger.ts";
import { rawControlCharacters } from "../helpers/control-characters.ts";

/** A logger that keeps its lines. */
function capture(level: LogLevel, format: LogFormat) {
  const lines: string[] = [];
  const log = createLogger({ level, format, write: (line) => lines.push(line) });
  return { log, lines };
}

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("json format", () => {
  test("writes one JSON object with time, level, message and fields", () => {
    const { log, lines } = capture("info", "json");
    log.info("listening", { address: "127.0.0.1:5000", port: 5000, tls: false, user: null });
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? "");
    expect(record).toEqual({
      time: expect.stringMatching(TIME),
      level: "info",
      msg: "listening",
      address: "127.0.0.1:5000",
      port: 5000,
      tls: false,
      user: null,
    });
  });

  test("leaves out undefined fields", () => {
    const { log, lines } = capture("info", "json");
    log.warn("odd", { present: "yes", absent: undefined });
    expect(Object.keys(JSON.parse(lines[0] ?? ""))).toEqual(["time", "level", "msg", "present"]);
  });

  test("C1 controls and bidirectional overrides are written as \\u escapes", () => {
    const { log, lines } = capture("info", "json");
    log.info("m", { user: "a\u009b2J\u202eb\u007f" });
    expect(lines[0]).toContain('"user":"a\\u009b2J\\u202eb\\u007f"');
    expect(JSON.parse(lines[0] ?? "").user).toBe("a\u009b2J\u202eb\u007f");
  });

  test("a message with quotes and new lines stays one line of valid JSON", () => {
    const { log, lines } = capture("info", "json");
    log.error('bad "thing"\nhappened');
    expect(lines[0]).not.toContain("\n");
    expect(JSON.parse(lines[0] ?? "").msg).toBe('bad "thing"\nhappened');
  });
});

describe("text format", () => {
  test("writes time, padded upper-case level, message, then key=value", () => {
    const { log, lines } = capture("debug", "text");
    log.info("pushed", { repository: "library/busybox", size: 42, ok: true });
    const [time, rest] = [lines[0]?.slice(0, 24), lines[0]?.slice(24)];
    expect(time).toMatch(TIME);
    expect(rest).toBe(" INFO  pushed repository=library/busybox size=42 ok=true");
  });

  test("quotes values with spaces, quotes, equals signs, or nothing", () => {
    const { log, lines } = capture("info", "text");
    log.info("m", { a: "two words", b: 'say "hi"', c: "k=v", d: "", e: "plain" });
    expect(lines[0]).toEndWith(' m a="two words" b="say \\"hi\\"" c="k=v" d="" e=plain');
  });

  test("a value with control characters stays on its line and sends no escape", () => {
    const { log, lines } = capture("info", "text");
    const forged = "evil\n2026-12-04T00:00:00.000Z INFO  login succeeded username=admin";
    log.warn("login failed", { username: forged, ua: "x\u001b[2J\u009b\u202e", path: "a\\b" });
    expect(lines).toHaveLength(1);
    expect(rawControlCharacters(lines[0] ?? "")).toEqual([]);
    expect(lines[0]).toContain(
      ` username="evil\\n2026-12-04T00:00:00.000Z INFO  login succeeded username=admin"`,
    );
    expect(lines[0]).toEndWith(' ua="x\\u001b[2J\\u009b\\u202e" path="a\\\\b"');
    // A quoted value reads back as the exact string.
    expect(JSON.parse(/ ua=(".*") path/.exec(lines[0] ?? "")?.[1] ?? "")).toBe(
      "x\u001b[2J\u009b\u202e",
    );
  });

  test("a message with control characters is escaped too", () => {
    const { log, lines } = capture("info", "text");
    log.error("bad\nthing\u001b[31m");
    expect(lines[0]).toEndWith(" ERROR bad\\x0athing\\x1b[31m");
  });

  test("writes null and leaves out undefined", () => {
    const { log, lines } = capture("info", "text");
    log.info("m", { gone: undefined, empty: null });
    expect(lines[0]).toEndWith(" m empty=null");
  });

  test("each level has its own label", () => {
    const { log, lines } = capture("debug", "text");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    expect(lines.map((line) => line.slice(25))).toEqual([
      "DEBUG d",
      "INFO  i",
      "WARN  w",
      "ERROR e",
    ]);
  });
});

describe("level threshold", () => {
  const LEVELS: LogLevel[] = ["debug", "info", "warn", "error"];
  for (const [index, threshold] of LEVELS.entries()) {
    test(`at ${threshold}, only ${LEVELS.slice(index).join(", ")} are written`, () => {
      const { log, lines } = capture(threshold, "json");
      log.debug("debug");
      log.info("info");
      log.warn("warn");
      log.error("error");
      expect(lines.map((line) => JSON.parse(line).level)).toEqual(LEVELS.slice(index));
    });
  }
});

describe("child loggers", () => {
  test("add their fields to every line", () => {
    const { log, lines } = capture("info", "json");
    const child = log.child({ requestId: "r-1" });
    child.info("one");
    child.warn("two", { extra: 1 });
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([
      { msg: "one", requestId: "r-1" },
      { msg: "two", requestId: "r-1", extra: 1 },
    ]);
  });

  test("leave the parent's lines alone", () => {
    const { log, lines } = capture("info", "json");
    log.child({ requestId: "r-1" });
    log.info("parent");
    expect(JSON.parse(lines[0] ?? "").requestId).toBeUndefined();
  });

  test("nest, the innermost field winning, and a call's fields winning over all", () => {
    const { log, lines } = capture("info", "text");
    const inner = log.child({ a: "outer", b: "outer" }).child({ b: "inner" });
    inner.info("m");
    inner.info("m", { a: "call" });
    expect(lines[0]).toEndWith(" m a=outer b=inner");
    expect(lines[1]).toEndWith(" m a=call b=inner");
  });

  test("keep the parent's threshold and writer", () => {
    const { log, lines } = capture("warn", "json");
    const child = log.child({ component: "gc" });
    child.info("dropped");
    child.error("kept");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ msg: "kept", component: "gc" });
  });
});

describe("silentLogger", () => {
  test("writes nothing to standard error, even for errors", () => {
    const original = process.stderr.write;
    let written = 0;
    process.stderr.write = (() => {
      written += 1;
      return true;
    }) as typeof process.stderr.write;
    try {
      silentLogger.error("quiet");
      silentLogger.child({ a: 1 }).error("quiet");
    } finally {
      process.stderr.write = original;
    }
    expect(written).toBe(0);
  });
});

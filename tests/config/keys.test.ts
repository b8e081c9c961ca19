import { describe, expect, test } from "bun:test";
import { CONFIG_KEYS, type KeySpec } from "../../src/config/keys.ts";

function spec(section: string, key: string): KeySpec {
  const found = CONFIG_KEYS[section]?.[key];
  if (!found) throw new Error(`no key ${section}.${key}`);
  return found;
}

const parse = (section: string, key: string, raw: unknown) => spec(section, key).parse(raw);

describe("CONFIG_KEYS", () => {
  for (const [section, keys] of Object.entries(CONFIG_KEYS)) {
    for (const [key, keySpec] of Object.entries(keys)) {
      test(`the default of ${section}.${key} passes its own parser`, () => {
        expect(keySpec.parse(keySpec.default).ok).toBe(true);
      });
    }
  }

  test("every key says what it is for", () => {
    for (const keys of Object.values(CONFIG_KEYS)) {
      for (const keySpec of Object.values(keys)) expect(keySpec.describe.length).toBeGreaterThan(0);
    }
  });
});

describe("durations", () => {
  test("are read into seconds", () => {
    expect(parse("auth", "token_ttl", "15m")).toEqual({ ok: true, value: 900 });
  });

  test("a TOML number is a number of seconds", () => {
    expect(parse("server", "shutdown_timeout", 10)).toEqual({ ok: true, value: 10 });
  });

  test("text that is not a duration is refused with an example", () => {
    const result = parse("server", "stall_timeout", "soon");
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining("30s") });
  });

  test("the memory valve's floor and headroom are sizes, and a headroom may be 0", () => {
    expect(parse("server", "memory_floor", "64MiB")).toEqual({ ok: true, value: 64 * 1024 ** 2 });
    expect(parse("server", "memory_headroom", "0")).toEqual({ ok: true, value: 0 });
    expect(parse("server", "memory_headroom", "lots")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("16MiB"),
    });
  });

  test("idle_timeout may be 255 seconds but not 256", () => {
    expect(parse("server", "idle_timeout", "255s")).toEqual({ ok: true, value: 255 });
    expect(parse("server", "idle_timeout", "256")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("255"),
    });
    expect(parse("server", "idle_timeout", "5m").ok).toBe(false);
  });

  test("idle_timeout of 0 or under a second is refused: it would turn the timeout off", () => {
    for (const value of ["0", "0s", "400ms"]) {
      expect(parse("server", "idle_timeout", value)).toMatchObject({
        ok: false,
        reason: expect.stringContaining("at least 1s"),
      });
    }
    expect(parse("server", "idle_timeout", "1s")).toEqual({ ok: true, value: 1 });
  });
});

describe("choices", () => {
  test("log.level accepts each level", () => {
    for (const level of ["debug", "info", "warn", "error"]) {
      expect(parse("log", "level", level)).toEqual({ ok: true, value: level });
    }
  });

  test("a value outside the choices is refused, naming them", () => {
    const result = parse("auth", "provider", "ldap");
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining("local, mcias") });
  });

  test("choices are case-sensitive", () => {
    expect(parse("log", "format", "JSON").ok).toBe(false);
  });
});

describe("flags", () => {
  const READ: Array<[raw: unknown, value: boolean]> = [
    [true, true],
    [false, false],
    ["true", true],
    ["1", true],
    ["false", false],
    ["0", false],
  ];
  for (const [raw, value] of READ) {
    test(`${JSON.stringify(raw)} is ${value}`, () => {
      expect(parse("auth", "allow_open_network", raw)).toEqual({ ok: true, value });
    });
  }

  for (const raw of ["yes", "TRUE", "", 1]) {
    test(`${JSON.stringify(raw)} is refused`, () => {
      expect(parse("auth", "allow_open_network", raw).ok).toBe(false);
    });
  }
});

describe("lists", () => {
  test("a comma-separated string is split and trimmed, empty items dropped", () => {
    expect(parse("server", "trusted_proxies", " 10.0.0.1 , 10.1.0.0/16,,")).toEqual({
      ok: true,
      value: ["10.0.0.1", "10.1.0.0/16"],
    });
  });

  test("a TOML array of strings is kept", () => {
    expect(parse("mcias", "tags", ["a", "b"])).toEqual({ ok: true, value: ["a", "b"] });
  });

  test("an array holding a non-string is refused", () => {
    expect(parse("mcias", "tags", ["a", 1]).ok).toBe(false);
  });
});

describe("text", () => {
  test("an optional text that is empty means unset", () => {
    expect(parse("server", "tls_cert", "")).toEqual({ ok: true, value: null });
    expect(parse("server", "tls_cert", "/etc/cert.pem")).toEqual({
      ok: true,
      value: "/etc/cert.pem",
    });
  });

  test("a number is not text", () => {
    expect(parse("auth", "service", 5).ok).toBe(false);
    expect(parse("database", "path", 5).ok).toBe(false);
  });
});

describe("server.listen", () => {
  test("is read into host and port", () => {
    expect(parse("server", "listen", "0.0.0.0:80")).toEqual({
      ok: true,
      value: { host: "0.0.0.0", port: 80 },
    });
  });

  test("a bare port is refused", () => {
    expect(parse("server", "listen", "5000").ok).toBe(false);
    expect(parse("server", "listen", 5000).ok).toBe(false);
  });
});

describe("external URLs", () => {
  test("trailing slashes are dropped", () => {
    expect(parse("server", "external_url", "https://registry.example.com//")).toEqual({
      ok: true,
      value: "https://registry.example.com",
    });
  });

  test("a path is kept", () => {
    expect(parse("mcias", "server_url", "http://id.example.com/base")).toEqual({
      ok: true,
      value: "http://id.example.com/base",
    });
  });

  test("empty means unset", () => {
    expect(parse("server", "external_url", "")).toEqual({ ok: true, value: null });
  });

  const REFUSED: Array<[raw: string, says: string]> = [
    ["registry.example.com", "absolute"],
    ["ftp://registry.example.com", "http or https"],
    ["https://registry.example.com/?x=1", "query"],
    ["https://registry.example.com/#top", "fragment"],
  ];
  for (const [raw, says] of REFUSED) {
    test(`${raw} is refused: ${says}`, () => {
      const result = parse("server", "external_url", raw);
      expect(result).toMatchObject({ ok: false, reason: expect.stringContaining(says) });
    });
  }
});

describe("storage.manifest_max_size", () => {
  test("is read into bytes", () => {
    expect(parse("storage", "manifest_max_size", "4MiB")).toEqual({
      ok: true,
      value: 4 * 1024 * 1024,
    });
  });

  test("zero is refused", () => {
    expect(parse("storage", "manifest_max_size", "0").ok).toBe(false);
    expect(parse("storage", "manifest_max_size", 0).ok).toBe(false);
  });

  test("an unknown unit is refused", () => {
    expect(parse("storage", "manifest_max_size", "4 parsecs").ok).toBe(false);
  });
});

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, type ConfigSources, loadConfig } from "../../src/config/load.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

let folder: string;
beforeAll(() => {
  folder = makeTempFolder("mcr-config-");
});
afterAll(() => removeFolder(folder));

let fileCount = 0;
/** Writes a TOML file into the test folder and returns its path. */
function tomlFile(text: string): string {
  fileCount += 1;
  const path = join(folder, `config-${fileCount}.toml`);
  writeFileSync(path, text);
  return path;
}

/** The problems loadConfig reports; fails the test when it accepts the sources. */
function problemsOf(sources: ConfigSources): string[] {
  try {
    loadConfig(sources);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("loadConfig accepted the configuration");
}

describe("defaults", () => {
  test("with no sources every key has its documented default", () => {
    const config = loadConfig();
    expect(config.server).toEqual({
      listen: { host: "127.0.0.1", port: 5000 },
      rpcListen: { host: "127.0.0.1", port: 9443 },
      externalUrl: null,
      tlsCert: null,
      tlsKey: null,
      trustedProxies: [],
      idleTimeout: 60,
      shutdownTimeout: 30,
      stallTimeout: 60,
      memoryFloor: 80 * 1024 * 1024,
      memoryHeadroom: 16 * 1024 * 1024,
    });
    expect(config.storage).toEqual({
      dataDir: resolve("./data"),
      uploadMaxAge: 86400,
      manifestMaxSize: 4 * 1024 * 1024,
    });
    expect(config.log).toEqual({ level: "info", format: "text" });
    expect(config.auth).toEqual({
      provider: "local",
      service: "mcr",
      tokenTtl: 900,
      refreshTokenTtl: 30 * 86400,
      sessionTtl: 12 * 3600,
      allowOpenNetwork: false,
      loginMaxFailures: 10,
      loginWindow: 900,
    });
    expect(config.mcias).toEqual({ serverUrl: null, caCert: null, serviceName: "mcr", tags: [] });
  });

  test("the database lives in the data folder unless placed elsewhere", () => {
    const config = loadConfig({ flags: { "storage.data_dir": folder } });
    expect(config.database.path).toBe(join(folder, "mcr.db"));
  });

  test("the busy timeout is given in milliseconds", () => {
    expect(loadConfig().database.busyTimeoutMs).toBe(5000);
    expect(loadConfig({ env: { MCR_DATABASE_BUSY_TIMEOUT: "250ms" } }).database.busyTimeoutMs).toBe(
      250,
    );
  });

  test("relative folders and files become absolute", () => {
    const config = loadConfig({
      flags: { "storage.data_dir": "some/data", "database.path": "meta/mcr.db" },
    });
    expect(config.storage.dataDir).toBe(resolve("some/data"));
    expect(config.database.path).toBe(resolve("meta/mcr.db"));
  });
});

describe("a TOML file", () => {
  test("overrides the defaults it names and leaves the rest", () => {
    const file = tomlFile(`
[server]
listen = "0.0.0.0:6000"
trusted_proxies = ["10.0.0.0/8"]
idle_timeout = "2m"

[log]
format = "json"
`);
    const config = loadConfig({ file });
    expect(config.server.listen).toEqual({ host: "0.0.0.0", port: 6000 });
    expect(config.server.trustedProxies).toEqual(["10.0.0.0/8"]);
    expect(config.server.idleTimeout).toBe(120);
    expect(config.log).toEqual({ level: "info", format: "json" });
    expect(config.auth.provider).toBe("local");
  });

  test("a number of seconds and a boolean keep their TOML types", () => {
    const file = tomlFile(`
[server]
listen = "0.0.0.0:5000"
shutdown_timeout = 5

[auth]
provider = "none"
allow_open_network = true
`);
    const config = loadConfig({ file });
    expect(config.server.shutdownTimeout).toBe(5);
    expect(config.auth.allowOpenNetwork).toBe(true);
  });

  test("a file that does not exist is a problem", () => {
    const path = join(folder, "missing.toml");
    expect(problemsOf({ file: path })).toEqual([`config file ${path} does not exist`]);
  });

  test("a file that is not TOML is a problem", () => {
    const [problem] = problemsOf({ file: tomlFile("[server\nlisten = ") });
    expect(problem).toContain("is not valid TOML");
  });

  test("an unknown section is reported by name", () => {
    const file = tomlFile('[registry]\nname = "x"\n');
    expect(problemsOf({ file })).toEqual([`${file}: unknown section [registry]`]);
  });

  test("an unknown key is reported with its section", () => {
    const file = tomlFile("[server]\nport = 5000\n");
    expect(problemsOf({ file })).toEqual([`${file}: unknown key server.port`]);
  });

  test("a section written as a plain value is a problem", () => {
    const file = tomlFile('server = "127.0.0.1:5000"\n');
    expect(problemsOf({ file })).toEqual([`${file}: server must be a table`]);
  });
});

describe("environment variables", () => {
  test("MCR_<SECTION>_<KEY> sets a key, underscores in the key included", () => {
    const config = loadConfig({
      env: { MCR_LOG_LEVEL: "debug", MCR_SERVER_STALL_TIMEOUT: "90s", MCR_MCIAS_TAGS: "a,b" },
    });
    expect(config.log.level).toBe("debug");
    expect(config.server.stallTimeout).toBe(90);
    expect(config.mcias.tags).toEqual(["a", "b"]);
  });

  test("beat the file", () => {
    const file = tomlFile('[log]\nlevel = "warn"\nformat = "json"\n');
    const config = loadConfig({ file, env: { MCR_LOG_LEVEL: "error" } });
    expect(config.log).toEqual({ level: "error", format: "json" });
  });

  test("variables without the MCR_ prefix, or undefined, are ignored", () => {
    const config = loadConfig({ env: { LOG_LEVEL: "debug", MCR_LOG_FORMAT: undefined } });
    expect(config.log).toEqual({ level: "info", format: "text" });
  });

  test("MCR_ variables of no config section are left to other readers", () => {
    expect(loadConfig({ env: { MCR_ADMIN_PASSWORD: "secret" } }).auth.provider).toBe("local");
  });

  test("an unknown key of a known section is a problem naming the variable", () => {
    expect(problemsOf({ env: { MCR_SERVER_PORT: "5000" } })).toEqual([
      "environment MCR_SERVER_PORT: unknown key server.port",
    ]);
  });

  test("a bad value is reported against its key, with the value and the variable it came from", () => {
    expect(problemsOf({ env: { MCR_LOG_LEVEL: "loud" } })).toEqual([
      'log.level must be one of debug, info, warn, error (got "loud" from environment MCR_LOG_LEVEL)',
    ]);
  });

  test("a refused credential is described, never repeated", () => {
    const file = tomlFile("[metrics]\ntoken = 12345678\n");
    expect(problemsOf({ file })).toEqual([
      `metrics.token must be a string (got a number from ${file})`,
    ]);
  });

  test("a long refused value is cut short", () => {
    const [problem] = problemsOf({ env: { MCR_LOG_LEVEL: "x".repeat(200) } });
    expect(problem).toBe(
      `log.level must be one of debug, info, warn, error (got "${"x".repeat(56)}... from environment MCR_LOG_LEVEL)`,
    );
  });
});

describe("flags", () => {
  test("beat the environment and the file", () => {
    const file = tomlFile('[storage]\ndata_dir = "/from/file"\n');
    const config = loadConfig({
      file,
      env: { MCR_STORAGE_DATA_DIR: "/from/env" },
      flags: { "storage.data_dir": "/from/flag" },
    });
    expect(config.storage.dataDir).toBe("/from/flag");
  });

  test("a flag left undefined does not hide the environment", () => {
    const config = loadConfig({
      env: { MCR_SERVER_LISTEN: "127.0.0.1:7000" },
      flags: { "server.listen": undefined },
    });
    expect(config.server.listen.port).toBe(7000);
  });

  test("a flag for an unknown key is a problem", () => {
    expect(problemsOf({ flags: { "server.port": "1" } })).toEqual([
      "flag for server.port: unknown key server.port",
    ]);
  });
});

describe("problems", () => {
  test("every problem of every source is reported at once", () => {
    const file = tomlFile('[server]\nidle_timeout = "soon"\n\n[cache]\nsize = 1\n');
    const problems = problemsOf({
      file,
      env: { MCR_LOG_FORMAT: "xml" },
      flags: { "auth.token_ttl": "-1" },
    });
    expect(problems).toHaveLength(4);
    expect(problems).toContain(`${file}: unknown section [cache]`);
    expect(problems).toContain(
      `server.idle_timeout must be a duration such as 30s, 15m or 24h (got "soon" from ${file})`,
    );
    expect(problems).toContain(
      'log.format must be one of text, json (got "xml" from environment MCR_LOG_FORMAT)',
    );
    expect(problems).toContain(
      'auth.token_ttl must be a duration such as 30s, 15m or 24h (got "-1" from flag for auth.token_ttl)',
    );
  });

  test("the error message lists each problem on its own line", () => {
    try {
      loadConfig({ env: { MCR_LOG_LEVEL: "loud", MCR_LOG_FORMAT: "xml" } });
      throw new Error("accepted");
    } catch (error) {
      expect((error as Error).message).toBe(
        "invalid configuration:\n" +
          '  - log.level must be one of debug, info, warn, error (got "loud" from environment MCR_LOG_LEVEL)\n' +
          '  - log.format must be one of text, json (got "xml" from environment MCR_LOG_FORMAT)',
      );
    }
  });

  test("an idle_timeout over 255 seconds is refused", () => {
    expect(problemsOf({ env: { MCR_SERVER_IDLE_TIMEOUT: "256s" } })).toEqual([
      'server.idle_timeout must be at most 255s (got "256s" from environment MCR_SERVER_IDLE_TIMEOUT)',
    ]);
    expect(loadConfig({ env: { MCR_SERVER_IDLE_TIMEOUT: "255" } }).server.idleTimeout).toBe(255);
  });

  test("tls_cert without tls_key is refused", () => {
    const cert = join(folder, "cert.pem");
    writeFileSync(cert, "certificate");
    expect(problemsOf({ env: { MCR_SERVER_TLS_CERT: cert } })).toEqual([
      "server.tls_cert and server.tls_key must be set together",
    ]);
  });

  test("tls_key without tls_cert is refused", () => {
    const key = join(folder, "key.pem");
    writeFileSync(key, "key");
    expect(problemsOf({ env: { MCR_SERVER_TLS_KEY: key } })).toEqual([
      "server.tls_cert and server.tls_key must be set together",
    ]);
  });

  test("TLS files that exist are accepted; missing ones are each reported", () => {
    const cert = join(folder, "tls-cert.pem");
    const key = join(folder, "tls-key.pem");
    writeFileSync(cert, "certificate");
    writeFileSync(key, "key");
    const config = loadConfig({ env: { MCR_SERVER_TLS_CERT: cert, MCR_SERVER_TLS_KEY: key } });
    expect(config.server).toMatchObject({ tlsCert: cert, tlsKey: key });

    const missingCert = join(folder, "nope-cert.pem");
    const missingKey = join(folder, "nope-key.pem");
    expect(
      problemsOf({ env: { MCR_SERVER_TLS_CERT: missingCert, MCR_SERVER_TLS_KEY: missingKey } }),
    ).toEqual([`TLS file ${missingCert} does not exist`, `TLS file ${missingKey} does not exist`]);
  });

  test("the mcias provider needs a server URL", () => {
    expect(problemsOf({ env: { MCR_AUTH_PROVIDER: "mcias" } })).toEqual([
      'auth.provider "mcias" needs mcias.server_url',
    ]);
    const config = loadConfig({
      env: { MCR_AUTH_PROVIDER: "mcias", MCR_MCIAS_SERVER_URL: "https://id.example.com/" },
    });
    expect(config.mcias.serverUrl).toBe("https://id.example.com");
  });

  test("an mcias CA file that does not exist is refused", () => {
    const path = join(folder, "no-ca.pem");
    expect(problemsOf({ env: { MCR_MCIAS_CA_CERT: path } })).toEqual([
      `mcias.ca_cert ${path} does not exist`,
    ]);
  });

  test("an open registry listens on loopback only, unless told otherwise", () => {
    const open = { MCR_AUTH_PROVIDER: "none", MCR_SERVER_LISTEN: "0.0.0.0:5000" };
    const [problem] = problemsOf({ env: open });
    expect(problem).toContain("auth.allow_open_network = true");

    const allowed = loadConfig({ env: { ...open, MCR_AUTH_ALLOW_OPEN_NETWORK: "true" } });
    expect(allowed.auth.allowOpenNetwork).toBe(true);
    expect(loadConfig({ env: { MCR_AUTH_PROVIDER: "none" } }).auth.provider).toBe("none");
  });

  test("a trusted proxy that is not an address or CIDR is refused", () => {
    expect(problemsOf({ env: { MCR_SERVER_TRUSTED_PROXIES: "10.0.0.1, proxy.local" } })).toEqual([
      "server.trusted_proxies entry proxy.local is not an IP address or CIDR",
    ]);
  });

  // loadConfig promises "every mistake at once", but the checks of combinations (TLS pair,
  // mcias URL, open network, proxies) only run when every single value parsed.
  test("combination problems are reported alongside value problems", () => {
    const cert = join(folder, "alone-cert.pem");
    writeFileSync(cert, "certificate");
    const problems = problemsOf({
      env: { MCR_SERVER_TLS_CERT: cert, MCR_LOG_LEVEL: "loud" },
    });
    expect(problems).toContain("server.tls_cert and server.tls_key must be set together");
  });
});

import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Config, IdentityProviderName, LogFormat, LogLevel } from "./config.ts";
import { CONFIG_KEYS } from "./keys.ts";
import { isLoopbackHost, type ListenAddress } from "./listen-address.ts";

/** Raised when the configuration cannot be used; the message lists every problem found. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

/** Where configuration comes from, weakest first: defaults, file, environment, flags. */
export interface ConfigSources {
  /** Path of a TOML file, if one was named. */
  file?: string;
  env?: Record<string, string | undefined>;
  /** Values from command-line flags, as `section.key` → raw value. */
  flags?: Record<string, string | undefined>;
  /**
   * Whether the files the configuration names (TLS, CA) must exist; `mcr init` turns this
   * off because making them may be its job.
   */
  checkFiles?: boolean;
}

type RawSections = Record<string, Record<string, unknown>>;
/** Where each value set by the operator came from, by section and key; defaults are absent. */
type Origins = Record<string, Record<string, string>>;

/**
 * Builds the configuration from its sources and validates all of it, so that an operator
 * sees every mistake at once rather than one per restart.
 */
export function loadConfig(sources: ConfigSources = {}): Config {
  const problems: string[] = [];
  const raw = defaults();
  const origins: Origins = {};
  const setter = { raw, origins, problems };

  if (sources.file) mergeFile(setter, sources.file);
  mergeEnvironment(setter, sources.env ?? {});
  for (const [dotted, value] of Object.entries(sources.flags ?? {})) {
    if (value === undefined) continue;
    const [section = "", key = ""] = dotted.split(".");
    assign(setter, section, key, value, `flag for ${dotted}`);
  }

  const values = parseAll(raw, origins, problems);
  checkCombinations(values, problems, sources.checkFiles ?? true);
  const config = problems.length === 0 ? build(values) : null;
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  return config;
}

function defaults(): RawSections {
  const raw: RawSections = {};
  for (const [section, keys] of Object.entries(CONFIG_KEYS)) {
    raw[section] = {};
    for (const [key, spec] of Object.entries(keys)) raw[section][key] = spec.default;
  }
  return raw;
}

/** What merging a source writes to: the values, where each came from, the problems found. */
interface Setter {
  raw: RawSections;
  origins: Origins;
  problems: string[];
}

function mergeFile(setter: Setter, path: string): void {
  const { problems } = setter;
  if (!existsSync(path)) {
    problems.push(`config file ${path} does not exist`);
    return;
  }
  let parsed: unknown;
  try {
    parsed = Bun.TOML.parse(readFileSync(path, "utf8"));
  } catch (error) {
    problems.push(`config file ${path} is not valid TOML: ${(error as Error).message}`);
    return;
  }
  for (const [section, table] of Object.entries(parsed as Record<string, unknown>)) {
    if (!(section in CONFIG_KEYS)) {
      problems.push(`${path}: unknown section [${section}]`);
      continue;
    }
    if (typeof table !== "object" || table === null || Array.isArray(table)) {
      problems.push(`${path}: ${section} must be a table`);
      continue;
    }
    for (const [key, value] of Object.entries(table)) {
      assign(setter, section, key, value, path);
    }
  }
}

function mergeEnvironment(setter: Setter, env: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.startsWith("MCR_")) continue;
    const rest = name.slice(4).toLowerCase();
    const section = Object.keys(CONFIG_KEYS).find((s) => rest.startsWith(`${s}_`));
    if (!section) continue;
    assign(setter, section, rest.slice(section.length + 1), value, `environment ${name}`);
  }
}

function assign(
  { raw, origins, problems }: Setter,
  section: string,
  key: string,
  value: unknown,
  origin: string,
): void {
  const table = raw[section];
  if (!table || !CONFIG_KEYS[section]?.[key]) {
    problems.push(`${origin}: unknown key ${section}.${key}`);
    return;
  }
  table[key] = value;
  origins[section] = { ...origins[section], [key]: origin };
}

function parseAll(raw: RawSections, origins: Origins, problems: string[]): RawSections {
  const values: RawSections = {};
  for (const [section, keys] of Object.entries(CONFIG_KEYS)) {
    values[section] = {};
    for (const [key, spec] of Object.entries(keys)) {
      const value = raw[section]?.[key];
      const result = spec.parse(value);
      if (result.ok) {
        values[section][key] = result.value;
        continue;
      }
      const origin = origins[section]?.[key];
      const got = origin ? ` (got ${shown(value, spec.secret)} from ${origin})` : "";
      problems.push(`${section}.${key} ${result.reason}${got}`);
    }
  }
  return values;
}

/** A refused value as the operator wrote it, cut short; a credential is only described. */
function shown(value: unknown, secret: boolean | undefined): string {
  if (secret) return `a ${Array.isArray(value) ? "list" : typeof value}`;
  const written = JSON.stringify(value) ?? String(value);
  return written.length > 60 ? `${written.slice(0, 57)}...` : written;
}

function build(values: RawSections): Config {
  const server = values.server ?? {};
  const database = values.database ?? {};
  const storage = values.storage ?? {};
  const log = values.log ?? {};
  const auth = values.auth ?? {};
  const mcias = values.mcias ?? {};
  const gc = values.gc ?? {};
  const snapshot = values.snapshot ?? {};
  const metrics = values.metrics ?? {};
  const dataDir = resolve(storage.data_dir as string);
  return {
    server: {
      listen: server.listen as ListenAddress,
      rpcListen: server.rpc_listen as ListenAddress | null,
      externalUrl: server.external_url as string | null,
      tlsCert: server.tls_cert as string | null,
      tlsKey: server.tls_key as string | null,
      trustedProxies: server.trusted_proxies as string[],
      idleTimeout: server.idle_timeout as number,
      shutdownTimeout: server.shutdown_timeout as number,
      stallTimeout: server.stall_timeout as number,
      memoryFloor: server.memory_floor as number,
      memoryHeadroom: server.memory_headroom as number,
    },
    database: {
      path: resolve((database.path as string | null) ?? join(dataDir, "mcr.db")),
      busyTimeoutMs: Math.round((database.busy_timeout as number) * 1000),
    },
    storage: {
      dataDir,
      uploadMaxAge: storage.upload_max_age as number,
      manifestMaxSize: storage.manifest_max_size as number,
    },
    log: { level: log.level as LogLevel, format: log.format as LogFormat },
    auth: {
      provider: auth.provider as IdentityProviderName,
      service: auth.service as string,
      tokenTtl: auth.token_ttl as number,
      refreshTokenTtl: auth.refresh_token_ttl as number,
      sessionTtl: auth.session_ttl as number,
      allowOpenNetwork: auth.allow_open_network as boolean,
      loginMaxFailures: auth.login_max_failures as number,
      loginWindow: auth.login_window as number,
    },
    metrics: { enabled: metrics.enabled as boolean, token: metrics.token as string | null },
    snapshot: {
      dir: resolve((snapshot.dir as string | null) ?? join(dataDir, "snapshots")),
      keepDays: snapshot.keep_days as number,
    },
    gc: {
      gracePeriod: gc.grace_period as number,
      deleteUntagged: gc.delete_untagged as boolean,
      interval: gc.interval as number,
    },
    mcias: {
      serverUrl: mcias.server_url as string | null,
      caCert: mcias.ca_cert as string | null,
      serviceName: mcias.service_name as string,
      tags: mcias.tags as string[],
    },
  };
}

/**
 * Checks that need several keys together. It reads the parsed values directly, so that it
 * runs (for the keys that did parse) even when other keys were refused: every mistake at once.
 */
function checkCombinations(values: RawSections, problems: string[], checkFiles: boolean): void {
  const server = values.server ?? {};
  const auth = values.auth ?? {};
  const mcias = values.mcias ?? {};
  const tlsCert = server.tls_cert as string | null | undefined;
  const tlsKey = server.tls_key as string | null | undefined;
  if (tlsCert !== undefined && tlsKey !== undefined && Boolean(tlsCert) !== Boolean(tlsKey)) {
    problems.push("server.tls_cert and server.tls_key must be set together");
  }
  for (const file of [tlsCert, tlsKey]) {
    if (checkFiles && file && !existsSync(file)) problems.push(`TLS file ${file} does not exist`);
  }
  if (auth.provider === "mcias" && mcias.server_url === null) {
    problems.push('auth.provider "mcias" needs mcias.server_url');
  }
  const caCert = mcias.ca_cert as string | null | undefined;
  if (checkFiles && caCert && !existsSync(caCert))
    problems.push(`mcias.ca_cert ${caCert} does not exist`);
  const listen = server.listen as ListenAddress | undefined;
  if (
    auth.provider === "none" &&
    listen &&
    !isLoopbackHost(listen.host) &&
    auth.allow_open_network === false
  ) {
    problems.push(
      'auth.provider "none" lets anyone push and delete; it listens on loopback only unless ' +
        "auth.allow_open_network = true",
    );
  }
  for (const proxy of (server.trusted_proxies as string[] | undefined) ?? []) {
    if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(proxy)) {
      problems.push(`server.trusted_proxies entry ${proxy} is not an IP address or CIDR`);
    }
  }
}

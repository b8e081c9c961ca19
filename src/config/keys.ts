import { parseDuration } from "./duration.ts";
import { parseListenAddress } from "./listen-address.ts";
import { parseByteSize } from "./size.ts";

/** A parsed value, or the reason the raw value was refused. */
export type Parsed = { ok: true; value: unknown } | { ok: false; reason: string };

/** One configuration key: its default and how a raw TOML or environment value is read. */
export interface KeySpec {
  default: unknown;
  parse(raw: unknown): Parsed;
  describe: string;
  /** A credential: a refused value is never repeated in the error. */
  secret?: true;
}

const ok = (value: unknown): Parsed => ({ ok: true, value });
const refuse = (reason: string): Parsed => ({ ok: false, reason });

function text(): KeySpec["parse"] {
  return (raw) => (typeof raw === "string" ? ok(raw) : refuse("must be a string"));
}

function optionalText(): KeySpec["parse"] {
  return (raw) =>
    typeof raw === "string" ? ok(raw === "" ? null : raw) : refuse("must be a string");
}

function duration(maxSeconds = Number.POSITIVE_INFINITY, minSeconds = 0): KeySpec["parse"] {
  return (raw) => {
    const seconds = parseDuration(raw);
    if (seconds === null) return refuse("must be a duration such as 30s, 15m or 24h");
    if (seconds > maxSeconds) return refuse(`must be at most ${maxSeconds}s`);
    if (seconds < minSeconds) return refuse(`must be at least ${minSeconds}s`);
    return ok(seconds);
  };
}

/** A byte size of at least `minBytes`; `example` is what the refusal suggests instead. */
function size(example: string, minBytes = 0): KeySpec["parse"] {
  return (raw) => {
    const bytes = parseByteSize(raw);
    return bytes !== null && bytes >= minBytes
      ? ok(bytes)
      : refuse(`must be a size such as ${example}`);
  };
}

function oneOf(...choices: string[]): KeySpec["parse"] {
  return (raw) =>
    typeof raw === "string" && choices.includes(raw)
      ? ok(raw)
      : refuse(`must be one of ${choices.join(", ")}`);
}

function flag(): KeySpec["parse"] {
  return (raw) => {
    if (typeof raw === "boolean") return ok(raw);
    if (raw === "true" || raw === "1") return ok(true);
    if (raw === "false" || raw === "0") return ok(false);
    return refuse("must be true or false");
  };
}

function list(): KeySpec["parse"] {
  return (raw) => {
    if (typeof raw === "string") {
      return ok(
        raw
          .split(",")
          .map((item) => item.trim())
          .filter(Boolean),
      );
    }
    if (Array.isArray(raw) && raw.every((item) => typeof item === "string")) return ok(raw);
    return refuse("must be a list of strings");
  };
}

function wholeNumber(min: number): KeySpec["parse"] {
  return (raw) => {
    const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
    return typeof value === "number" && Number.isSafeInteger(value) && value >= min
      ? ok(value)
      : refuse(`must be a whole number, at least ${min}`);
  };
}

function externalUrl(raw: unknown): Parsed {
  if (typeof raw !== "string") return refuse("must be a string");
  if (raw === "") return ok(null);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse("must be an absolute http or https URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return refuse("must be an http or https URL");
  }
  if (url.search || url.hash) return refuse("must not have a query or fragment");
  return ok(raw.replace(/\/+$/, ""));
}

/**
 * Every key `mcr serve` reads, by section. A TOML file, MCR_<SECTION>_<KEY> environment
 * variables and command-line flags all go through these parsers, so a value means the same
 * wherever it was written.
 */
export const CONFIG_KEYS: Record<string, Record<string, KeySpec>> = {
  server: {
    listen: {
      default: "127.0.0.1:5000",
      describe: "HOST:PORT to listen on",
      parse: (raw) => {
        const address = typeof raw === "string" ? parseListenAddress(raw) : null;
        return address ? ok(address) : refuse("must be HOST:PORT, e.g. 127.0.0.1:5000");
      },
    },
    external_url: { default: "", describe: "base URL clients see", parse: externalUrl },
    rpc_listen: {
      default: "127.0.0.1:9443",
      describe: "HOST:PORT of the admin RPC listener, empty for none",
      parse: (raw) => {
        if (raw === "") return ok(null);
        const address = typeof raw === "string" ? parseListenAddress(raw) : null;
        return address ? ok(address) : refuse("must be HOST:PORT, or empty to turn it off");
      },
    },
    tls_cert: { default: "", describe: "PEM certificate chain", parse: optionalText() },
    tls_key: { default: "", describe: "PEM private key", parse: optionalText() },
    trusted_proxies: { default: [], describe: "proxy addresses or CIDRs", parse: list() },
    // Under a second, Bun rounds it to 0, which turns the timeout off: a client that connects
    // and sends nothing would then hold its connection forever.
    idle_timeout: { default: "60s", describe: "keep-alive idle limit", parse: duration(255, 1) },
    shutdown_timeout: { default: "30s", describe: "drain time on shutdown", parse: duration() },
    stall_timeout: {
      default: "60s",
      describe: "body inactivity limit",
      // Under a second, any client pausing between chunks would be cut off.
      parse: duration(Number.POSITIVE_INFINITY, 1),
    },
    memory_floor: {
      default: "80MiB",
      describe: "resident memory under which uploads never force a collection",
      parse: size("80MiB"),
    },
    memory_headroom: {
      default: "16MiB",
      describe: "growth over the last collection before uploads force one (0 = never)",
      parse: size("16MiB, or 0"),
    },
  },
  database: {
    path: { default: "", describe: "SQLite file", parse: optionalText() },
    busy_timeout: { default: "5s", describe: "lock wait", parse: duration() },
  },
  storage: {
    data_dir: { default: "./data", describe: "data folder", parse: text() },
    upload_max_age: {
      default: "24h",
      describe: "unfinished upload lifetime",
      parse: duration(Number.POSITIVE_INFINITY, 1),
    },
    manifest_max_size: {
      default: "4MiB",
      describe: "largest manifest",
      parse: size("4MiB", 1),
    },
  },
  auth: {
    provider: {
      default: "local",
      describe: "identity source",
      parse: oneOf("local", "mcias", "none"),
    },
    service: { default: "mcr", describe: "token service name", parse: text() },
    token_ttl: {
      default: "15m",
      describe: "registry token lifetime",
      parse: duration(Number.POSITIVE_INFINITY, 1),
    },
    refresh_token_ttl: { default: "30d", describe: "refresh token lifetime", parse: duration() },
    session_ttl: {
      default: "12h",
      describe: "admin session lifetime",
      parse: duration(Number.POSITIVE_INFINITY, 60),
    },
    allow_open_network: { default: false, describe: "open registry off loopback", parse: flag() },
    login_max_failures: {
      default: 10,
      describe: "failed logins per account in login_window before a lockout",
      parse: wholeNumber(1),
    },
    login_window: {
      default: "15m",
      describe: "how long failed logins count; also the first lockout's length",
      parse: duration(Number.POSITIVE_INFINITY, 0.001),
    },
  },
  mcias: {
    server_url: { default: "", describe: "identity service base URL", parse: externalUrl },
    ca_cert: { default: "", describe: "CA bundle for the service", parse: optionalText() },
    service_name: { default: "mcr", describe: "service name sent at login", parse: text() },
    tags: { default: [], describe: "tags sent at login", parse: list() },
  },
  metrics: {
    enabled: { default: true, describe: "serve /metrics", parse: flag() },
    token: {
      default: "",
      describe: "bearer token for /metrics",
      parse: optionalText(),
      secret: true,
    },
  },
  snapshot: {
    dir: { default: "", describe: "snapshot folder", parse: optionalText() },
    keep_days: {
      default: 30,
      describe: "days snapshots are kept",
      parse: (raw) => {
        const days = typeof raw === "string" ? Number(raw) : raw;
        return typeof days === "number" && Number.isInteger(days) && days >= 1
          ? ok(days)
          : refuse("must be a whole number of days, at least 1");
      },
    },
  },
  gc: {
    grace_period: { default: "1h", describe: "age before content may go", parse: duration() },
    delete_untagged: { default: false, describe: "collect untagged manifests", parse: flag() },
    interval: {
      default: "0s",
      describe: "time between scheduled collections (0 = off)",
      parse: duration(),
    },
  },
  log: {
    level: {
      default: "info",
      describe: "verbosity",
      parse: oneOf("debug", "info", "warn", "error"),
    },
    format: { default: "text", describe: "line format", parse: oneOf("text", "json") },
  },
};

import type { ListenAddress } from "./listen-address.ts";

/** Log verbosity, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** How log lines are written: one JSON object per line, or `key=value` text. */
export type LogFormat = "json" | "text";

/** The whole validated configuration of `mcr serve`. Durations are in seconds. */
export interface Config {
  server: {
    listen: ListenAddress;
    /** The admin RPC listener (gRPC, gRPC-Web, Connect); null for none. */
    rpcListen: ListenAddress | null;
    /** Base URL clients see, when a proxy terminates TLS in front of MCR; no trailing slash. */
    externalUrl: string | null;
    tlsCert: string | null;
    tlsKey: string | null;
    /** Addresses (IP or CIDR) whose X-Forwarded-For header is believed. */
    trustedProxies: string[];
    /** Seconds a keep-alive connection may sit idle (Bun caps this at 255). */
    idleTimeout: number;
    /** Seconds in-flight requests get to finish after SIGTERM or SIGINT. */
    shutdownTimeout: number;
    /** Seconds a request body may go without sending a byte before the request is aborted. */
    stallTimeout: number;
    /** Resident bytes under which request bodies never force a garbage collection. */
    memoryFloor: number;
    /** Bytes resident memory may grow over the last collection before a body forces one; 0 never. */
    memoryHeadroom: number;
  };
  database: {
    /** SQLite file; defaults to mcr.db inside the data folder. */
    path: string;
    /** Milliseconds a writer waits for the database lock. */
    busyTimeoutMs: number;
  };
  storage: {
    dataDir: string;
    /** Seconds after its last write that an unfinished upload is discarded. */
    uploadMaxAge: number;
    /** Largest manifest accepted, in bytes. */
    manifestMaxSize: number;
  };
  log: {
    level: LogLevel;
    format: LogFormat;
  };
  auth: {
    provider: IdentityProviderName;
    /** The `service` of the Docker token challenge and token requests. */
    service: string;
    /** Seconds a registry token from /v2/token lives. */
    tokenTtl: number;
    /** Seconds a refresh token (docker login's identity token) lives. */
    refreshTokenTtl: number;
    /** Seconds a session token from the admin API's login lives. */
    sessionTtl: number;
    /** With provider "none", allow a listener other than loopback. */
    allowOpenNetwork: boolean;
    /** Failed logins of one account within `loginWindow` before it is locked out. */
    loginMaxFailures: number;
    /** Seconds failed logins are remembered; also the first lockout's length. */
    loginWindow: number;
  };
  metrics: {
    enabled: boolean;
    /** Bearer token /metrics requires; without one, only loopback clients may scrape. */
    token: string | null;
  };
  snapshot: {
    /** Where snapshots go; defaults to snapshots/ in the data folder. */
    dir: string;
    /** Snapshots older than this many days are deleted when a new one is made. */
    keepDays: number;
  };
  gc: {
    /** Seconds new content is kept whatever references it. */
    gracePeriod: number;
    deleteUntagged: boolean;
    /** Seconds between scheduled collections; 0 means none. */
    interval: number;
  };
  mcias: {
    serverUrl: string | null;
    caCert: string | null;
    serviceName: string;
    tags: string[];
  };
}

/** Where identities come from: MCR's own accounts, an external MCIAS, or nowhere (open). */
export type IdentityProviderName = "local" | "mcias" | "none";

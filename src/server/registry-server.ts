import packageJson from "../../package.json" with { type: "json" };
import { RepositoryService } from "../admin/repository-service.ts";
import { SessionService } from "../admin/session-service.ts";
import { SnapshotService } from "../admin/snapshot-service.ts";
import { AdminApi } from "../api/admin-api.ts";
import { AuditLog } from "../audit/audit-log.ts";
import { type AccessLayer, createAccessLayer } from "../auth/setup.ts";
import type { Config } from "../config/config.ts";
import { formatListenAddress, isLoopbackHost } from "../config/listen-address.ts";
import { openDatabase } from "../db/database.ts";
import { GroupCommit } from "../db/group-commit.ts";
import { ManifestLookup } from "../db/manifest-lookup.ts";
import { deleteExpiredTokens } from "../db/tokens.ts";
import { GarbageCollector } from "../gc/garbage-collector.ts";
import type { Logger } from "../log/logger.ts";
import { RegistryMetrics } from "../metrics/registry-metrics.ts";
import { KeyedLock } from "../registry/keyed-lock.ts";
import { createRegistry, type Registry } from "../registry/registry.ts";
import { createRestApi } from "../rest/rest-api.ts";
import { type RpcServer, startRpcServer } from "../rpc/rpc-server.ts";
import { lockDataFolder } from "../storage/data-folder-lock.ts";
import { FilesystemBlobStore } from "../storage/filesystem-store.ts";
import { createApp } from "./app.ts";
import { type HttpServer, startHttpServer } from "./http-server.ts";
import { MemoryValve } from "./memory-valve.ts";

/** A running `mcr serve`. */
export interface RunningRegistry {
  http: HttpServer;
  /** Accounts, tokens and policy, for tests and the admin API. */
  accessLayer: AccessLayer;
  /** The registry's services, for tests and the admin API. */
  registry: Registry;
  audit: AuditLog;
  gc: GarbageCollector;
  /** The admin RPC listener, when one is configured. */
  rpc: RpcServer | null;
  /** Drains requests, stops background work and closes the database. */
  stop(): Promise<void>;
}

/** How often abandoned uploads are looked for, at most. */
const PURGE_INTERVAL_CAP_SECONDS = 600;

/**
 * Opens the data folder and database, sets up identity and policy, starts the HTTP server
 * and the periodic purge of abandoned uploads and expired tokens, and returns a handle to
 * stop them in order.
 */
export async function startRegistry(config: Config, log: Logger): Promise<RunningRegistry> {
  const store = await FilesystemBlobStore.open(config.storage.dataDir);
  const unlockDataFolder = lockDataFolder(config.storage.dataDir);
  const metadata = openDatabase(config.database);
  for (const name of metadata.migrated) log.info("database migration applied", { migration: name });

  const audit = new AuditLog(metadata.db, log);
  const accessLayer = await createAccessLayer(config, metadata.db, audit, log);
  const registryContext = {
    db: metadata.db,
    groupCommit: new GroupCommit(metadata.db),
    manifestLookup: new ManifestLookup(metadata.db, metadata.sqlite),
    store,
    log,
    audit,
    digestLocks: new KeyedLock(),
  };
  const registry = createRegistry(registryContext);
  const removed = await registry.uploads.purge(config.storage.uploadMaxAge);
  if (removed > 0) log.info("abandoned uploads removed", { count: removed });

  const gc = new GarbageCollector(metadata.db, store, registryContext.digestLocks, audit, log, {
    gracePeriod: config.gc.gracePeriod,
    deleteUntagged: config.gc.deleteUntagged,
  });
  const metrics = new RegistryMetrics(metadata.db, gc);
  const adminApi = new AdminApi({
    accounts: accessLayer.accounts,
    policy: accessLayer.policy,
    audit,
    gc,
    repositories: new RepositoryService(metadata.db, audit),
    manifests: registry.manifests,
    snapshots: new SnapshotService(
      {
        databasePath: config.database.path,
        dir: config.snapshot.dir,
        keepDays: config.snapshot.keepDays,
      },
      audit,
    ),
    identity: accessLayer.tokens
      ? {
          authenticator: accessLayer.tokens.authenticator,
          sessions: new SessionService(
            accessLayer.tokens.authenticator,
            accessLayer.tokenStore,
            audit,
            config.auth.sessionTtl,
          ),
        }
      : null,
    version: packageJson.version,
  });
  const rest = createRestApi(adminApi);
  const app = createApp(
    {
      registry,
      access: accessLayer.access,
      tokens: accessLayer.tokens,
      log,
      externalUrl: config.server.externalUrl,
      manifestMaxSize: config.storage.manifestMaxSize,
      stallTimeout: config.server.stallTimeout,
      memoryValve: new MemoryValve({
        floorBytes: config.server.memoryFloor,
        headroomBytes: config.server.memoryHeadroom,
      }),
    },
    rest,
    config.metrics.enabled ? { registry: metrics, token: config.metrics.token } : null,
  );
  const http = startHttpServer(config, log, app, (request, path, status, seconds, bytes) =>
    metrics.record(request, path, status, seconds, bytes),
  );

  const rpc = config.server.rpcListen
    ? await startRpcServer({
        listen: config.server.rpcListen,
        tls:
          config.server.tlsCert && config.server.tlsKey
            ? { cert: config.server.tlsCert, key: config.server.tlsKey }
            : null,
        api: adminApi,
        log,
        trustedProxies: config.server.trustedProxies,
        idleTimeout: config.server.idleTimeout,
        requestTimeout: config.server.stallTimeout,
      })
    : null;

  const purgeEvery = Math.min(PURGE_INTERVAL_CAP_SECONDS, config.storage.uploadMaxAge / 4);
  const purgeTimer = setInterval(() => {
    registry.uploads
      .purge(config.storage.uploadMaxAge)
      .then((count) => count > 0 && log.info("abandoned uploads removed", { count }))
      .catch((error) => log.error("upload purge failed", { error: String(error) }));
    deleteExpiredTokens(metadata.db, Date.now()).catch((error) =>
      log.error("expired token purge failed", { error: String(error) }),
    );
  }, Math.max(1, purgeEvery) * 1000);
  purgeTimer.unref();
  const gcTimer =
    config.gc.interval > 0
      ? setInterval(() => {
          if (gc.status().state === "idle") gc.start({ reconcile: false, actor: "schedule" });
        }, config.gc.interval * 1000)
      : null;
  gcTimer?.unref();

  log.info("registry listening", {
    address: formatListenAddress({ host: config.server.listen.host, port: http.port }),
    url: http.url,
    data_dir: config.storage.dataDir,
    database: config.database.path,
    tls: Boolean(config.server.tlsCert),
  });

  if (config.auth.provider === "none" && !isLoopbackHost(config.server.listen.host)) {
    // Allowed only with auth.allow_open_network = true (config/load.ts refuses it otherwise).
    log.warn(
      "listening beyond this machine with no access control: anyone who can reach it can push and delete",
      {
        address: formatListenAddress(config.server.listen),
      },
    );
  }

  return {
    http,
    accessLayer,
    registry,
    audit,
    gc,
    rpc,
    stop: async () => {
      clearInterval(purgeTimer);
      if (gcTimer) clearInterval(gcTimer);
      await gc.stop();
      await http.shutdown(config.server.shutdownTimeout);
      await rpc?.close();
      await metadata.close();
      unlockDataFolder();
    },
  };
}

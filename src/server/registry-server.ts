import { allowEverything } from "../auth/access.ts";
import type { Config } from "../config/config.ts";
import { formatListenAddress, isLoopbackHost } from "../config/listen-address.ts";
import { openDatabase } from "../db/database.ts";
import type { Logger } from "../log/logger.ts";
import { createRegistry } from "../registry/registry.ts";
import { FilesystemBlobStore } from "../storage/filesystem-store.ts";
import { createApp } from "./app.ts";
import { type HttpServer, startHttpServer } from "./http-server.ts";

/** A running `mcr serve`. */
export interface RunningRegistry {
  http: HttpServer;
  /** Drains requests, stops background work and closes the database. */
  stop(): Promise<void>;
}

/** How often abandoned uploads are looked for, at most. */
const PURGE_INTERVAL_CAP_SECONDS = 600;

/**
 * Opens the data folder and database, starts the HTTP server and the upload purge, and
 * returns a handle to stop them in order.
 */
export async function startRegistry(config: Config, log: Logger): Promise<RunningRegistry> {
  const store = await FilesystemBlobStore.open(config.storage.dataDir);
  const metadata = openDatabase(config.database);
  for (const name of metadata.migrated) log.info("database migration applied", { migration: name });

  const registry = createRegistry({ db: metadata.db, store, log });
  const removed = await registry.uploads.purge(config.storage.uploadMaxAge);
  if (removed > 0) log.info("abandoned uploads removed", { count: removed });

  const app = createApp({
    registry,
    access: allowEverything,
    log,
    externalUrl: config.server.externalUrl,
    manifestMaxSize: config.storage.manifestMaxSize,
    stallTimeout: config.server.stallTimeout,
  });
  const http = startHttpServer(config, log, (request) => app.handle(request));

  const purgeEvery = Math.min(PURGE_INTERVAL_CAP_SECONDS, config.storage.uploadMaxAge / 4);
  const purgeTimer = setInterval(() => {
    registry.uploads
      .purge(config.storage.uploadMaxAge)
      .then((count) => count > 0 && log.info("abandoned uploads removed", { count }))
      .catch((error) => log.error("upload purge failed", { error: String(error) }));
  }, Math.max(1, purgeEvery) * 1000);
  purgeTimer.unref();

  log.info("registry listening", {
    address: formatListenAddress({ host: config.server.listen.host, port: http.port }),
    url: http.url,
    data_dir: config.storage.dataDir,
    database: config.database.path,
    tls: Boolean(config.server.tlsCert),
  });

  if (!isLoopbackHost(config.server.listen.host)) {
    // Access control allows every request until identities exist (auth/access.ts).
    log.warn(
      "listening beyond this machine with no access control: anyone who can reach it can push and delete",
      {
        address: formatListenAddress(config.server.listen),
      },
    );
  }

  return {
    http,
    stop: async () => {
      clearInterval(purgeTimer);
      await http.shutdown(config.server.shutdownTimeout);
      await metadata.close();
    },
  };
}

/**
 * Runs the load: seeds the shared repositories, starts the workers and admin clients, and
 * samples the server (memory, connections) and this test process (event-loop lag, CPU)
 * until the deadline, so the report can tell a slow server from a saturated client.
 */
import { blobBytes, blobDigest } from "./blob-pool.ts";
import { type Credentials, LoadClient } from "./load-client.ts";
import type { LoadRegistry } from "./load-registry.ts";
import { LoadStats } from "./load-stats.ts";
import { LoadWorld } from "./load-world.ts";
import { OCI_MANIFEST, sha256 } from "./operation-kit.ts";
import { connectionsOnPort, cpuSeconds, residentKiB } from "./process-probe.ts";
import { manifestOf } from "./push-operations.ts";
import { runAdminClient, runWorker } from "./workload.ts";

export interface LoadOptions {
  /** Registry clients running the operation mix at once. */
  clients: number;
  /** Clients calling the admin REST and RPC list endpoints meanwhile. */
  adminClients: number;
  /** Load before measuring starts: caches, JIT and SQLite pages settle. */
  warmupSeconds: number;
  /** Measured load after the warm-up. */
  seconds: number;
}

/** One sample of the server and the client, taken every SAMPLE_MS. */
export interface LoadSample {
  /** Milliseconds since the load started. */
  at: number;
  rssKiB: number;
  established: number;
  timeWait: number;
  /** How late this process's sampling timer fired: its event loop's backlog. */
  lagMs: number;
}

export interface LoadReport {
  stats: LoadStats;
  samples: LoadSample[];
  /** Wall time of the whole load (warm-up included) in seconds. */
  elapsedSeconds: number;
  serverCpuSeconds: number;
  clientCpuSeconds: number;
}

const SAMPLE_MS = 100;
const SHARED_REPOSITORIES = 8;
const TAGS_PER_REPOSITORY = 6;
const SEED_BLOBS_PER_REPOSITORY = 12;

/** Runs the mix against `registry` and returns what was counted and sampled. */
export async function runLoad(registry: LoadRegistry, options: LoadOptions): Promise<LoadReport> {
  const stats = new LoadStats();
  const world = new LoadWorld(SHARED_REPOSITORIES, TAGS_PER_REPOSITORY);
  await seed(new LoadClient(registry.url, registry.admin, "basic", [], stats), world);

  const workers = Array.from({ length: options.clients }, (_, i) => {
    const own = { name: `load/worker-${i}`, cycles: 0 };
    // Every way in: admin and ordinary account, each with Basic and with tokens.
    const account: Credentials = i % 2 === 0 ? registry.admin : registry.user;
    const mode = i % 4 < 2 ? "basic" : "token";
    const scopes = [
      ...world.repositories.map((repository) => `repository:${repository.name}:pull,push`),
      `repository:${own.name}:pull,push,delete`,
      "registry:catalog:*",
    ];
    return { client: new LoadClient(registry.url, account, mode, scopes, stats), own };
  });
  const admin = {
    rest: new LoadClient(registry.url, registry.admin, "basic", [], stats),
    rpc: new LoadClient(registry.rpcUrl, registry.admin, "basic", [], stats),
  };

  const samples: LoadSample[] = [];
  const started = Date.now();
  const deadline = started + (options.warmupSeconds + options.seconds) * 1000;
  const serverCpuBefore = cpuSeconds(registry.pid);
  const clientCpuBefore = process.cpuUsage();
  let expected = started + SAMPLE_MS;
  const sampler = setInterval(() => {
    const now = Date.now();
    const connections = connectionsOnPort(registry.port);
    samples.push({
      at: now - started,
      rssKiB: residentKiB(registry.pid),
      established: connections.established,
      timeWait: connections.timeWait,
      lagMs: Math.max(0, now - expected),
    });
    expected = now + SAMPLE_MS;
  }, SAMPLE_MS);

  try {
    await Promise.all([
      ...workers.map(({ client, own }) => runWorker(client, world, own, stats, deadline)),
      ...Array.from({ length: options.adminClients }, () => runAdminClient(admin, stats, deadline)),
    ]);
  } finally {
    clearInterval(sampler);
  }
  const clientCpu = process.cpuUsage(clientCpuBefore);
  return {
    stats,
    samples,
    elapsedSeconds: (Date.now() - started) / 1000,
    serverCpuSeconds: cpuSeconds(registry.pid) - serverCpuBefore,
    clientCpuSeconds: (clientCpu.user + clientCpu.system) / 1e6,
  };
}

/** Gives every shared repository blobs and a manifest under each of its tags. */
async function seed(client: LoadClient, world: LoadWorld): Promise<void> {
  let next = 0;
  for (const repository of world.repositories) {
    for (let i = 0; i < SEED_BLOBS_PER_REPOSITORY; i++) {
      const index = next++;
      const digest = blobDigest(index);
      await client.expectAndDrain(`/v2/${repository.name}/blobs/uploads/?digest=${digest}`, 201, {
        method: "POST",
        body: blobBytes(index),
      });
      world.addBlob(repository, digest);
    }
    for (const [i, tag] of repository.tags.entries()) {
      const manifest = manifestOf(
        repository.blobs[i] as string,
        repository.blobs[i + 1] as string,
        i,
      );
      await client.expectAndDrain(`/v2/${repository.name}/manifests/${tag}`, 201, {
        method: "PUT",
        headers: { "Content-Type": OCI_MANIFEST },
        body: manifest,
      });
      world.addManifest(repository, sha256(manifest));
    }
  }
}

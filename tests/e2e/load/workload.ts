/**
 * The mix of operations load workers run, and the admin calls a few other clients make
 * meanwhile. The weights follow what a registry sees: mostly pulls, a fair share of
 * pushes, and a little of everything else.
 */
import type { LoadClient } from "./load-client.ts";
import type { LoadStats } from "./load-stats.ts";
import type { LoadWorld } from "./load-world.ts";
import type { Operation, OwnRepository } from "./operation-kit.ts";
import { cancelUpload, deleteCycle, mountBlob, renewToken } from "./own-repository-operations.ts";
import {
  headBlob,
  headManifest,
  listCatalog,
  listTags,
  pullBlob,
  pullBlobRange,
  pullManifestByDigest,
  pullManifestByTag,
} from "./pull-operations.ts";
import { pushBlobChunked, pushBlobWhole, pushManifest } from "./push-operations.ts";

const MIX: ReadonlyArray<[name: string, weight: number, operation: Operation]> = [
  ["blob GET", 24, pullBlob],
  ["blob Range GET", 8, pullBlobRange],
  ["blob HEAD", 5, headBlob],
  ["manifest GET by tag", 14, pullManifestByTag],
  ["manifest GET by digest", 10, pullManifestByDigest],
  ["manifest HEAD", 6, headManifest],
  ["blob push, monolithic", 7, pushBlobWhole],
  ["blob push, chunked", 4, pushBlobChunked],
  ["manifest PUT by tag", 6, pushManifest],
  ["tags/list", 4, listTags],
  ["catalog", 2, listCatalog],
  ["cross-repository mount", 4, mountBlob],
  ["push, pull and delete", 2, deleteCycle],
  ["cancelled upload", 1, cancelUpload],
  ["token renewal", 1, renewToken],
];
const TOTAL_WEIGHT = MIX.reduce((sum, [, weight]) => sum + weight, 0);

function anyOperation(): [string, Operation] {
  let roll = Math.random() * TOTAL_WEIGHT;
  for (const [name, weight, operation] of MIX) {
    roll -= weight;
    if (roll < 0) return [name, operation];
  }
  const [name, , operation] = MIX[0] as (typeof MIX)[number];
  return [name, operation];
}

/** The name of every operation and admin call, as the stats count them. */
export function operationNames(): string[] {
  return [...MIX.map(([name]) => name), ...ADMIN_CALLS.map(([name]) => name)];
}

/** Runs operations from the mix, one after another, until `deadline` (epoch ms). */
export async function runWorker(
  client: LoadClient,
  world: LoadWorld,
  own: OwnRepository,
  stats: LoadStats,
  deadline: number,
): Promise<void> {
  while (Date.now() < deadline) {
    const [name, operation] = anyOperation();
    try {
      await operation(client, world, own);
      stats.succeeded(name);
    } catch (error) {
      stats.failed(name, error);
    }
  }
}

/** The admin calls: REST list endpoints on the registry's port, RPC lists on its own. */
const ADMIN_CALLS: ReadonlyArray<[name: string, on: "rest" | "rpc", path: string]> = [
  ["REST repositories", "rest", "/v1/repositories?n=50"],
  ["REST accounts", "rest", "/v1/accounts"],
  ["REST audit", "rest", "/v1/audit?limit=20"],
  ["REST policy rules", "rest", "/v1/policy/rules"],
  ["RPC ListRepositories", "rpc", "/mcr.v1.RegistryService/ListRepositories"],
  ["RPC ListAccounts", "rpc", "/mcr.v1.AccountService/ListAccounts"],
  ["RPC ListEvents", "rpc", "/mcr.v1.AuditService/ListEvents"],
];

/** Calls the admin list endpoints in turn until `deadline`, each answer checked for 200. */
export async function runAdminClient(
  clients: { rest: LoadClient; rpc: LoadClient },
  stats: LoadStats,
  deadline: number,
): Promise<void> {
  for (let i = 0; Date.now() < deadline; i++) {
    const [name, on, path] = ADMIN_CALLS[i % ADMIN_CALLS.length] as (typeof ADMIN_CALLS)[number];
    try {
      const response =
        on === "rest"
          ? await clients.rest.expect(path, 200)
          : await clients.rpc.expect(path, 200, {
              method: "POST",
              headers: { "Content-Type": "application/json" },
              body: "{}",
            });
      await response.json();
      stats.succeeded(name);
    } catch (error) {
      stats.failed(name, error);
    }
  }
}

/**
 * What the load clients know exists in the registry. Shared repositories are never deleted
 * from, so anything recorded here after a 201 must be readable until the run ends: a 404
 * for it is a fault, not a race. Deletes happen only in each worker's private repository.
 */
import { blobDigest, POOL_SIZE } from "./blob-pool.ts";

/** A repository every worker reads and pushes to. */
export interface SharedRepository {
  name: string;
  /** Digests of blobs linked to it. */
  blobs: string[];
  /** Digests of manifests stored in it. */
  manifests: string[];
  /** Tags that exist (they may move, never vanish). */
  tags: readonly string[];
}

/** Shared repositories, and the bookkeeping that keeps their lists free of duplicates. */
export class LoadWorld {
  readonly repositories: SharedRepository[];
  readonly #seen = new Set<string>();

  constructor(repositoryCount: number, tagCount: number) {
    this.repositories = Array.from({ length: repositoryCount }, (_, i) => ({
      name: `load/shared-${i}`,
      blobs: [],
      manifests: [],
      tags: Array.from({ length: tagCount }, (_, t) => `t${t}`),
    }));
  }

  /** A shared repository at random. */
  anyRepository(): SharedRepository {
    return pick(this.repositories);
  }

  /** Notes that `digest` is now a blob of `repository`. */
  addBlob(repository: SharedRepository, digest: string): void {
    if (this.#first(`${repository.name}@blob@${digest}`)) repository.blobs.push(digest);
  }

  /** Notes that manifest `digest` is now stored in `repository`. */
  addManifest(repository: SharedRepository, digest: string): void {
    if (this.#first(`${repository.name}@manifest@${digest}`)) repository.manifests.push(digest);
  }

  #first(key: string): boolean {
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    return true;
  }
}

/** One element of a non-empty list, at random. */
export function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error("picked from an empty list");
  return item;
}

/** A pool blob index at random, its digest computed so that pulls can be checked. */
export function anyPoolBlob(): number {
  const index = Math.floor(Math.random() * POOL_SIZE);
  blobDigest(index);
  return index;
}

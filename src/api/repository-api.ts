import type { ManifestWithContent, RepositoryDetail } from "../admin/repository-service.ts";
import type { RepositorySummary } from "../db/repository-summaries.ts";
import { isTag } from "../registry/names.ts";
import { RegistryError } from "../registry/registry-error.ts";
import type { AdminDependencies } from "./admin-dependencies.ts";
import { ApiError } from "./api-error.ts";
import { actorOf, type Caller, requireAdmin } from "./caller.ts";

/** One page of repositories; `nextLast` is where the next page starts, null on the last. */
export interface RepositoryPage {
  repositories: RepositorySummary[];
  nextLast: string | null;
}

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

/** What is stored, for admins: listing, detail, and deleting repositories, tags, manifests. */
export class RepositoryApi {
  constructor(private readonly deps: AdminDependencies) {}

  async list(
    caller: Caller,
    page: { pageSize?: number; last?: string | null },
  ): Promise<RepositoryPage> {
    requireAdmin(caller);
    const limit = page.pageSize || DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new ApiError("invalid-argument", `n must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
    }
    // One more than asked tells whether another page follows.
    const rows = await this.deps.repositories.list({ last: page.last || null, limit: limit + 1 });
    const repositories = rows.slice(0, limit);
    return {
      repositories,
      nextLast: rows.length > limit ? (repositories.at(-1)?.name ?? null) : null,
    };
  }

  get(caller: Caller, name: string): Promise<RepositoryDetail> {
    requireAdmin(caller);
    return this.deps.repositories.detail(name);
  }

  manifest(caller: Caller, name: string, digest: string): Promise<ManifestWithContent> {
    requireAdmin(caller);
    return this.deps.repositories.manifest(name, digest);
  }

  async delete(caller: Caller, name: string): Promise<void> {
    requireAdmin(caller);
    await this.deps.repositories.delete(name, actorOf(caller));
  }

  async deleteTag(caller: Caller, name: string, tag: string): Promise<void> {
    requireAdmin(caller);
    if (!isTag(tag)) throw new ApiError("invalid-argument", `${JSON.stringify(tag)} is not a tag`);
    try {
      await this.deps.manifests.delete(name, tag, actorOf(caller));
    } catch (error) {
      // The registry core speaks of the manifest a reference names; here the caller named a tag.
      if (error instanceof RegistryError && error.kind === "manifest-unknown") {
        throw new ApiError("not-found", `tag ${tag} is not in repository ${name}`);
      }
      throw error;
    }
  }

  async deleteManifest(caller: Caller, name: string, digest: string): Promise<void> {
    requireAdmin(caller);
    if (isTag(digest)) {
      throw new ApiError("invalid-argument", `${JSON.stringify(digest)} is not a digest`);
    }
    await this.deps.manifests.delete(name, digest, actorOf(caller));
  }
}

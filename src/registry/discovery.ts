import { listReferrers, type Referrer } from "../db/manifests.ts";
import { findRepositoryId, listRepositoryNames } from "../db/repositories.ts";
import { listTags } from "../db/tags.ts";
import type { RegistryContext } from "./context.ts";
import { parseDigest } from "./digest.ts";
import { fetchPage, type Page, type PageRequest } from "./pagination.ts";
import { RegistryError } from "./registry-error.ts";

/** Listing what a registry holds: tags, repositories and referrers. */
export class DiscoveryService {
  constructor(private readonly context: RegistryContext) {}

  /** A page of the repository's tags. */
  async tags(repository: string, page: PageRequest): Promise<Page<string>> {
    const repositoryId = await findRepositoryId(this.context.db, repository);
    if (repositoryId === null) {
      throw new RegistryError("name-unknown", `repository ${repository} is not known`);
    }
    return fetchPage(page, (limit) =>
      listTags(this.context.db, repositoryId, { last: page.last, limit }),
    );
  }

  /** A page of repository names. */
  async catalog(page: PageRequest): Promise<Page<string>> {
    return fetchPage(page, (limit) =>
      listRepositoryNames(this.context.db, { last: page.last, limit }),
    );
  }

  /**
   * Manifests of the repository whose subject is `digestText`, optionally only those of one
   * artifactType. An unknown repository simply has no referrers.
   */
  async referrers(
    repository: string,
    digestText: string,
    artifactType: string | null,
  ): Promise<Referrer[]> {
    const digest = parseDigest(digestText);
    const repositoryId = await findRepositoryId(this.context.db, repository);
    if (repositoryId === null) return [];
    return listReferrers(this.context.db, repositoryId, digest, artifactType);
  }
}

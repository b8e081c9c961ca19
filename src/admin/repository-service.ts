import type { Actor, AuditLog } from "../audit/audit-log.ts";
import { findRepositoryId } from "../db/repositories.ts";
import {
  deleteRepositoryRow,
  listRepositoryManifests,
  listRepositorySummaries,
  type RepositorySummary,
} from "../db/repository-summaries.ts";
import type { Db } from "../db/schema.ts";
import { parseDigest } from "../registry/digest.ts";
import { parseRepositoryName } from "../registry/names.ts";
import { RegistryError } from "../registry/registry-error.ts";

/** A manifest as the admin API describes it. */
export interface ManifestDetail {
  digest: string;
  mediaType: string;
  size: number;
  artifactType: string | null;
  subject: string | null;
  createdAt: number;
  tags: string[];
  /** `os/architecture[/variant]` of each child, for an index. */
  platforms: string[];
  /** Digests of the manifests whose subject this one is. */
  referrers: string[];
}

/** A manifest with its JSON exactly as pushed (the layers, config and annotations). */
export interface ManifestWithContent extends ManifestDetail {
  content: string;
}

/** A repository with its tags and manifests. */
export interface RepositoryDetail {
  name: string;
  tags: Array<{ name: string; digest: string; updatedAt: number }>;
  manifests: ManifestDetail[];
}

/** What the admin API shows of repositories, and deleting a whole one. */
export class RepositoryService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
  ) {}

  /** A page of repositories with counts and sizes, after `last`. */
  list(options: { last: string | null; limit: number }): Promise<RepositorySummary[]> {
    return listRepositorySummaries(this.db, options);
  }

  async detail(nameText: string): Promise<RepositoryDetail> {
    const { name, tags, manifests } = await this.#describe(nameText);
    return { name, tags, manifests: manifests.map(({ content: _, ...manifest }) => manifest) };
  }

  /** One manifest of a repository, with its JSON as pushed. */
  async manifest(nameText: string, digestText: string): Promise<ManifestWithContent> {
    const detail = await this.#describe(nameText);
    const digest = parseDigest(digestText);
    const manifest = detail.manifests.find((candidate) => candidate.digest === digest);
    if (!manifest) {
      throw new RegistryError("manifest-unknown", `manifest ${digest} is not in ${detail.name}`);
    }
    return manifest;
  }

  /** Deletes a repository: its manifests, tags and blob links; files go at the next GC. */
  async delete(nameText: string, actor: Actor): Promise<void> {
    const name = parseRepositoryName(nameText);
    await deleteRepositoryRow(this.db, await this.#id(name));
    await this.audit.record({ type: "repository_deleted", actor, repository: name });
  }

  async #describe(nameText: string) {
    const name = parseRepositoryName(nameText);
    const repositoryId = await this.#id(name);
    const { manifests, tags } = await listRepositoryManifests(this.db, repositoryId);
    const digestOf = new Map(manifests.map((manifest) => [manifest.id, manifest.digest]));
    return {
      name,
      tags: tags.map((tag) => ({
        name: tag.name,
        digest: digestOf.get(tag.manifest_id) ?? "",
        updatedAt: tag.updated_at,
      })),
      manifests: manifests.map(
        (manifest): ManifestWithContent => ({
          digest: manifest.digest,
          mediaType: manifest.media_type,
          size: manifest.size,
          artifactType: manifest.artifact_type,
          subject: manifest.subject_digest,
          createdAt: manifest.created_at,
          tags: tags.filter((tag) => tag.manifest_id === manifest.id).map((tag) => tag.name),
          platforms: platformsOf(manifest.content),
          referrers: manifests
            .filter((other) => other.subject_digest === manifest.digest)
            .map((other) => other.digest),
          content: new TextDecoder().decode(manifest.content),
        }),
      ),
    };
  }

  async #id(name: string): Promise<number> {
    const id = await findRepositoryId(this.db, name);
    if (id === null) throw new RegistryError("name-unknown", `repository ${name} is not known`);
    return id;
  }
}

function platformsOf(content: Uint8Array): string[] {
  try {
    const document = JSON.parse(new TextDecoder().decode(content)) as {
      manifests?: Array<{ platform?: { os?: string; architecture?: string; variant?: string } }>;
    };
    return (document.manifests ?? [])
      .map((child) => child.platform)
      .filter((platform) => platform?.os && platform.architecture)
      .map((platform) =>
        [platform?.os, platform?.architecture, platform?.variant].filter(Boolean).join("/"),
      );
  } catch {
    return [];
  }
}

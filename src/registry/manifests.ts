import type { Actor } from "../audit/audit-log.ts";
import { findLinkedBlobSizes } from "../db/blobs.ts";
import {
  deleteManifest,
  findManifestSizes,
  insertManifest,
  type StoredManifest,
} from "../db/manifests.ts";
import { ensureRepository, findRepositoryId } from "../db/repositories.ts";
import type { Db } from "../db/schema.ts";
import { deleteTag, setTag } from "../db/tags.ts";
import type { RegistryContext } from "./context.ts";
import { digestAlgorithm, digestOf } from "./digest.ts";
import { type Descriptor, type ParsedManifest, parseManifest } from "./manifest.ts";
import { isTag } from "./names.ts";
import { parseReference } from "./reference.ts";
import { RegistryError } from "./registry-error.ts";

/** The outcome of a manifest push. */
export interface PushedManifest {
  digest: string;
  /** The subject's digest, which the response echoes in OCI-Subject. */
  subjectDigest: string | null;
}

/** Pulling, pushing and deleting manifests and tags. */
export class ManifestService {
  constructor(private readonly context: RegistryContext) {}

  /** A manifest by tag or digest, byte for byte as it was pushed. */
  async get(repository: string, referenceText: string): Promise<StoredManifest> {
    // No manifest can exist under a malformed tag, so reading one is "not found" (the
    // conformance suite asks exactly that); pushing one stays an error.
    if (!referenceText.includes(":") && !isTag(referenceText))
      throw unknownManifest(repository, referenceText);
    const reference = parseReference(referenceText);
    const { manifestLookup } = this.context;
    const manifest =
      reference.kind === "tag"
        ? await manifestLookup.byTag(repository, reference.tag)
        : await manifestLookup.byDigest(repository, reference.digest);
    if (manifest) return manifest;
    // Which error: an unknown repository is NAME_UNKNOWN, a known one MANIFEST_UNKNOWN.
    await this.#repositoryId(repository);
    throw unknownManifest(repository, referenceText);
  }

  /**
   * Stores a manifest under a tag or its digest. Every blob and child manifest it names must
   * already be in the repository; its subject need not be (spec: "Pushing Manifests with
   * Subject"). Storing the manifest, moving the tag and their audit events happen in one
   * transaction, whose commit concurrent pushes share.
   */
  async put(
    repository: string,
    referenceText: string,
    contentType: string | null,
    content: Uint8Array,
    actor: Actor,
  ): Promise<PushedManifest> {
    const reference = parseReference(referenceText);
    const algorithm = reference.kind === "digest" ? digestAlgorithm(reference.digest) : "sha256";
    const digest = digestOf(content, algorithm);
    if (reference.kind === "digest" && reference.digest !== digest) {
      throw new RegistryError(
        "digest-mismatch",
        `manifest was pushed as ${reference.digest} but its content has digest ${digest}`,
      );
    }
    const manifest = parseManifest(content, contentType);

    const tag = reference.kind === "tag" ? reference.tag : null;
    const { audit } = this.context;
    await this.context.groupCommit.run(async (trx) => {
      const { id: repositoryId, created } = await ensureRepository(trx, repository);
      await checkReferences(trx, repository, repositoryId, manifest);
      const manifestId = await insertManifest(trx, {
        repositoryId,
        digest,
        mediaType: manifest.mediaType,
        content,
        artifactType: manifest.artifactType,
        subjectDigest: manifest.subject?.digest ?? null,
        annotations: manifest.annotations,
        blobs: manifest.blobs,
        children: manifest.children,
      });
      const previous = tag === null ? null : await setTag(trx, repositoryId, tag, manifestId);

      if (created) await audit.recordWithin(trx, { type: "repository_created", actor, repository });
      await audit.recordWithin(trx, {
        type: "manifest_pushed",
        actor,
        repository,
        digest,
        details: { tag },
      });
      if (previous) {
        await audit.recordWithin(trx, {
          type: "tag_moved",
          actor,
          repository,
          digest,
          details: { tag, from: previous },
        });
      }
    });
    return { digest, subjectDigest: manifest.subject?.digest ?? null };
  }

  /** Deletes a tag (by tag), or a manifest and every tag on it (by digest). */
  async delete(repository: string, referenceText: string, actor: Actor): Promise<void> {
    if (!referenceText.includes(":") && !isTag(referenceText))
      throw unknownManifest(repository, referenceText);
    const reference = parseReference(referenceText);
    const repositoryId = await this.#repositoryId(repository);
    const { audit } = this.context;
    await this.context.groupCommit.run(async (trx) => {
      const deleted =
        reference.kind === "tag"
          ? await deleteTag(trx, repositoryId, reference.tag)
          : await deleteManifest(trx, repositoryId, reference.digest);
      if (!deleted) throw unknownManifest(repository, referenceText);
      await audit.recordWithin(
        trx,
        reference.kind === "tag"
          ? { type: "tag_deleted", actor, repository, details: { tag: reference.tag } }
          : { type: "manifest_deleted", actor, repository, digest: reference.digest },
      );
    });
  }

  async #repositoryId(repository: string): Promise<number> {
    const id = await findRepositoryId(this.context.db, repository);
    if (id === null) {
      throw new RegistryError("name-unknown", `repository ${repository} is not known`);
    }
    return id;
  }
}

function unknownManifest(repository: string, reference: string): RegistryError {
  return new RegistryError(
    "manifest-unknown",
    `manifest ${reference} is not in repository ${repository}`,
  );
}

/**
 * Every blob and child manifest a manifest names must be in the repository, with the size
 * the manifest declares: a wrong size would make every client's pull fail its checks.
 */
async function checkReferences(
  db: Db,
  repository: string,
  repositoryId: number,
  manifest: ParsedManifest,
): Promise<void> {
  const isIndex = manifest.shape === "index";
  const digests = isIndex ? manifest.children : manifest.blobs;
  const sizes = isIndex
    ? await findManifestSizes(db, repositoryId, digests)
    : await findLinkedBlobSizes(db, repositoryId, digests);

  const missing = digests.filter((digest) => !sizes.has(digest));
  if (missing.length > 0) {
    const what = isIndex ? "index references manifests" : "manifest references blobs";
    throw new RegistryError(
      "manifest-blob-unknown",
      `${what} not pushed to ${repository}: ${missing.join(", ")}`,
      { digests: missing },
    );
  }
  const wrong = manifest.references.filter(
    (reference) => sizes.get(reference.digest) !== reference.size,
  );
  if (wrong.length > 0) {
    const first = wrong[0] as Descriptor;
    throw new RegistryError(
      "manifest-invalid",
      `descriptor ${first.digest} declares ${first.size} bytes but the content has ${sizes.get(first.digest)}`,
      { digests: wrong.map((reference) => reference.digest) },
    );
  }
}

import type { NewManifest } from "../../src/db/manifests.ts";

export const IMAGE_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

/**
 * A manifest row as the database layer takes it: an image manifest whose content names its
 * digest, with no blobs, children, subject or annotations.
 */
export function plainManifest(repositoryId: number, digest: string): NewManifest {
  return {
    repositoryId,
    digest,
    mediaType: IMAGE_MANIFEST,
    content: new TextEncoder().encode(`{"digest":"${digest}"}`),
    artifactType: null,
    subjectDigest: null,
    annotations: null,
    blobs: [],
    children: [],
  };
}

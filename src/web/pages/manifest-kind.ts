import type { Manifest } from "../../gen/mcr/v1/registry_pb.ts";

/**
 * Config media types of container images. The registry reports an image's config media type
 * as its artifact type (image spec, manifest.md: artifactType falls back to config.mediaType).
 */
const IMAGE_CONFIG_TYPES = new Set([
  "application/vnd.oci.image.config.v1+json",
  "application/vnd.docker.container.image.v1+json",
]);

/** What a manifest is, in words: an index, an image, or an artifact of some type. */
export function manifestKind(manifest: Manifest | undefined): string {
  if (!manifest) return "";
  if (manifest.artifactType && !IMAGE_CONFIG_TYPES.has(manifest.artifactType)) {
    return `artifact ${manifest.artifactType}`;
  }
  if (manifest.mediaType.includes("index") || manifest.mediaType.includes("manifest.list")) {
    return `index (${manifest.platforms.length} platforms)`;
  }
  return "image";
}

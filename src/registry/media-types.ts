/** Manifest media types MCR accepts, and whether each is a single image or an index. */
export const MEDIA_TYPES = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
} as const;

/** Whether a manifest names blobs (an image or artifact) or other manifests (an index). */
export type ManifestShape = "image" | "index";

export const MANIFEST_SHAPES: Readonly<Record<string, ManifestShape>> = {
  [MEDIA_TYPES.ociManifest]: "image",
  [MEDIA_TYPES.dockerManifest]: "image",
  [MEDIA_TYPES.ociIndex]: "index",
  [MEDIA_TYPES.dockerManifestList]: "index",
};

/**
 * Layers Docker marks as "foreign": clients fetch them from their `urls`, never from the
 * registry, so a manifest may name them without pushing them.
 */
export const FOREIGN_LAYER_TYPES: ReadonlySet<string> = new Set([
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
]);

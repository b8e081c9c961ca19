/** A descriptor as the page shows it; a field of the wrong type in the stored JSON is left out. */
export interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  /** `os/architecture[/variant]`, when the descriptor names a platform. */
  platform?: string;
}

/** The fields of an image manifest or an index that the manifest page shows. */
export interface ManifestDocument {
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  annotations?: Record<string, string>;
}

/**
 * The parts of a stored manifest the page shows, read defensively: the registry checks what
 * it stores today, but a manifest stored by an older version, or a field the manifest's kind
 * does not define (an image manifest with a `manifests` list), may hold anything. Only the
 * fields of the manifest's own kind are read, and entries that are not descriptor objects
 * are skipped, so such a manifest shows what it can instead of failing the page.
 */
export function readManifestDocument(content: string, mediaType: string): ManifestDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return {};
  }
  if (!isRecord(parsed)) return {};

  const document: ManifestDocument = {};
  const annotations = stringMap(parsed.annotations);
  if (annotations) document.annotations = annotations;
  if (isIndex(mediaType)) {
    document.manifests = descriptorList(parsed.manifests);
    return document;
  }
  if (isRecord(parsed.config)) document.config = descriptorOf(parsed.config);
  if (parsed.layers !== undefined) document.layers = descriptorList(parsed.layers);
  return document;
}

function isIndex(mediaType: string): boolean {
  return mediaType.includes("index") || mediaType.includes("manifest.list");
}

function descriptorList(value: unknown): Descriptor[] {
  return Array.isArray(value) ? value.filter(isRecord).map(descriptorOf) : [];
}

function descriptorOf(record: Record<string, unknown>): Descriptor {
  const descriptor: Descriptor = {};
  if (typeof record.mediaType === "string") descriptor.mediaType = record.mediaType;
  if (typeof record.digest === "string") descriptor.digest = record.digest;
  if (typeof record.size === "number" && Number.isFinite(record.size)) {
    descriptor.size = record.size;
  }
  const platform = platformOf(record.platform);
  if (platform) descriptor.platform = platform;
  return descriptor;
}

function platformOf(value: unknown): string | null {
  if (!isRecord(value)) return null;
  const { os, architecture, variant } = value;
  if (typeof os !== "string" || typeof architecture !== "string" || !os || !architecture) {
    return null;
  }
  return typeof variant === "string" && variant
    ? `${os}/${architecture}/${variant}`
    : `${os}/${architecture}`;
}

function stringMap(value: unknown): Record<string, string> | null {
  if (!isRecord(value)) return null;
  const entries = Object.entries(value).filter(
    (entry): entry is [string, string] => typeof entry[1] === "string",
  );
  return Object.fromEntries(entries);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

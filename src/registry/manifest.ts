import { findCaseVariantKey } from "./case-variant-keys.ts";
import { parseDigest } from "./digest.ts";
import { findDuplicateKey } from "./duplicate-keys.ts";
import { FOREIGN_LAYER_TYPES, MANIFEST_SHAPES, type ManifestShape } from "./media-types.ts";
import { RegistryError } from "./registry-error.ts";

/** A content descriptor as the OCI image spec defines it. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** What the registry needs to know about a pushed manifest to check and index it. */
export interface ParsedManifest {
  /** The media type the manifest is stored and served with. */
  mediaType: string;
  shape: ManifestShape;
  /** Config and layer blobs that must be in the repository (image manifests). */
  blobs: string[];
  /** Every descriptor of a blob or child that must exist, with the size it declares. */
  references: Descriptor[];
  /** Child manifests that must be in the repository (indexes). */
  children: string[];
  /** The manifest this one refers to; it may be pushed later (spec: "Pushing Manifests with Subject"). */
  subject: Descriptor | null;
  /** artifactType for the referrers API: the field itself, else an image's config media type. */
  artifactType: string | null;
  annotations: Record<string, string> | null;
}

/**
 * Parses and checks a manifest as pushed. `contentType` is the request's Content-Type; when it
 * names a manifest type the body's own mediaType must agree, and when it does not (curl sends
 * application/x-www-form-urlencoded) the body's mediaType or shape decides.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | null): ParsedManifest {
  const document = parseJsonObject(bytes);
  const caseVariant = findCaseVariantKey(document);
  if (caseVariant !== null) throw invalid(caseVariant);
  if (document.schemaVersion !== 2) {
    throw invalid("schemaVersion must be 2 (schema 1 manifests are not supported)");
  }
  const mediaType = resolveMediaType(document, contentType);
  const shape = MANIFEST_SHAPES[mediaType] as ManifestShape;
  refuseOtherShapesFields(document, shape);
  const subject = document.subject === undefined ? null : descriptor(document.subject, "subject");
  const artifactType = optionalString(document.artifactType, "artifactType");
  const annotations = stringMap(document.annotations, "annotations");

  if (shape === "index") {
    const manifests = descriptorList(document.manifests, "manifests");
    if (Array.isArray(document.manifests)) checkPlatforms(document.manifests);
    return {
      mediaType,
      shape,
      blobs: [],
      references: manifests,
      children: unique(manifests.map((child) => child.digest)),
      subject,
      artifactType,
      annotations,
    };
  }

  const config = descriptor(document.config, "config");
  const layers = document.layers === undefined ? [] : descriptorList(document.layers, "layers");
  const pushedLayers = layers.filter((layer) => !FOREIGN_LAYER_TYPES.has(layer.mediaType));
  return {
    mediaType,
    shape,
    blobs: unique([config.digest, ...pushedLayers.map((layer) => layer.digest)]),
    references: [config, ...pushedLayers],
    children: [],
    subject,
    artifactType: artifactType ?? config.mediaType,
    annotations,
  };
}

function resolveMediaType(document: Record<string, unknown>, contentType: string | null): string {
  const declared = optionalString(document.mediaType, "mediaType");
  const header = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (Object.hasOwn(MANIFEST_SHAPES, header)) {
    if (declared !== null && declared !== header) {
      throw invalid(`Content-Type ${header} does not match the manifest's mediaType ${declared}`);
    }
    return header;
  }
  if (declared !== null) {
    if (!Object.hasOwn(MANIFEST_SHAPES, declared))
      throw invalid(`unsupported manifest mediaType ${declared}`);
    return declared;
  }
  if (Array.isArray(document.manifests)) return "application/vnd.oci.image.index.v1+json";
  if (document.config !== undefined) return "application/vnd.oci.image.manifest.v1+json";
  throw invalid("cannot tell the manifest type: no mediaType, config or manifests");
}

/**
 * An index with config or layers, or an image with manifests, reads as the other kind to a
 * client that goes by fields rather than mediaType (the ambiguity behind CVE-2021-41190).
 */
function refuseOtherShapesFields(document: Record<string, unknown>, shape: ManifestShape) {
  const foreign = shape === "index" ? ["config", "layers"] : ["manifests"];
  const found = foreign.filter((field) => document[field] !== undefined);
  if (found.length > 0) {
    const kind = shape === "index" ? "an index" : "an image manifest";
    throw invalid(`${kind} must not have ${found.join(" or ")}`);
  }
}

function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  let document: unknown;
  try {
    // ignoreBOM keeps a byte order mark in the text, where JSON.parse refuses it: the bytes
    // are stored and served as pushed, and clients' JSON parsers reject a leading BOM.
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    document = JSON.parse(text);
  } catch (error) {
    throw invalid(`manifest is not valid JSON: ${(error as Error).message}`);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== null) {
    throw invalid(`manifest names ${JSON.stringify(duplicate)} twice in one object`);
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw invalid("manifest must be a JSON object");
  }
  return document as Record<string, unknown>;
}

function descriptor(value: unknown, field: string): Descriptor {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid(`${field} must be a descriptor object`);
  }
  const record = value as Record<string, unknown>;
  const mediaType = optionalString(record.mediaType, `${field}.mediaType`);
  if (mediaType === null) throw invalid(`${field}.mediaType is required`);
  if (typeof record.digest !== "string") throw invalid(`${field}.digest is required`);
  let digest: string;
  try {
    digest = parseDigest(record.digest);
  } catch (error) {
    throw invalid(`${field}.digest: ${(error as Error).message}`);
  }
  const size = record.size;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    throw invalid(`${field}.size must be a non-negative integer`);
  }
  const result: Descriptor = { mediaType, digest, size };
  const artifactType = optionalString(record.artifactType, `${field}.artifactType`);
  if (artifactType !== null) result.artifactType = artifactType;
  const annotations = stringMap(record.annotations, `${field}.annotations`);
  if (annotations !== null) result.annotations = annotations;
  return result;
}

function descriptorList(value: unknown, field: string): Descriptor[] {
  if (!Array.isArray(value)) throw invalid(`${field} must be an array of descriptors`);
  return value.map((item, index) => descriptor(item, `${field}[${index}]`));
}

/**
 * The platform of each index entry, where one is given, is an object with `os` and
 * `architecture` strings (image spec, image-index.md); clients and the web UI read it to pick
 * and name a child, so a platform of another form is refused rather than stored.
 */
function checkPlatforms(children: unknown[]): void {
  children.forEach((child, index) => {
    const platform = (child as Record<string, unknown>).platform;
    if (platform === undefined) return;
    const field = `manifests[${index}].platform`;
    if (typeof platform !== "object" || platform === null || Array.isArray(platform)) {
      throw invalid(`${field} must be an object`);
    }
    const record = platform as Record<string, unknown>;
    for (const name of ["os", "architecture"]) {
      if (typeof record[name] !== "string") throw invalid(`${field}.${name} must be a string`);
    }
    for (const name of ["variant", "os.version"]) {
      optionalString(record[name], `${field}.${name}`);
    }
    for (const name of ["os.features", "features"]) {
      const list = record[name];
      if (list === undefined) continue;
      if (!Array.isArray(list) || list.some((item) => typeof item !== "string")) {
        throw invalid(`${field}.${name} must be an array of strings`);
      }
    }
  });
}

function optionalString(value: unknown, field: string): string | null {
  if (value === undefined) return null;
  if (typeof value !== "string") throw invalid(`${field} must be a string`);
  return value;
}

function stringMap(value: unknown, field: string): Record<string, string> | null {
  if (value === undefined) return null;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid(`${field} must be an object of strings`);
  }
  for (const item of Object.values(value)) {
    if (typeof item !== "string") throw invalid(`${field} values must be strings`);
  }
  return value as Record<string, string>;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

function invalid(message: string): RegistryError {
  return new RegistryError("manifest-invalid", message);
}

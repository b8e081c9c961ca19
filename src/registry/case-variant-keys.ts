/**
 * Go's encoding/json, which skopeo, containerd and docker decode manifests with, matches an
 * object's keys to struct fields without regard to case, and the last matching key wins:
 * `"layers":[A],"Layers":[B]` reads as A here and as B there. This finds such keys in the
 * objects the OCI and Docker manifest structs decode (image-spec specs-go/v1, distribution's
 * schema2 and manifestlist), so that what MCR checks is what every client reads.
 *
 * Annotations are maps, which Go decodes case-sensitively: `org.Foo` and `org.foo` are two
 * legitimate keys there, and they are not looked at.
 */

/**
 * Characters outside ASCII that Go folds onto an ASCII letter (it compares
 * upper(lower(c))): dotted and dotless I, the long s and the Kelvin sign. `"ſize"` is read
 * as `size`. tests/registry/case-variant-keys.test.ts checks the list is complete.
 */
export const NON_ASCII_FOLDS: Readonly<Record<string, string>> = {
  "\u0130": "I",
  "\u0131": "I",
  "\u017f": "S",
  "\u212a": "K",
};

/** Fields of the image manifest and index at the top level (both, as a client may try either). */
const MANIFEST_FIELDS = byFold([
  "schemaVersion",
  "mediaType",
  "artifactType",
  "config",
  "layers",
  "manifests",
  "subject",
  "annotations",
]);
/** Fields of a descriptor: config, layers, manifests and subject. */
const DESCRIPTOR_FIELDS = byFold([
  "mediaType",
  "digest",
  "size",
  "urls",
  "annotations",
  "data",
  "platform",
  "artifactType",
]);
/** Fields of a platform; `features` is Docker's and image-spec 1.0's. */
const PLATFORM_FIELDS = byFold([
  "architecture",
  "os",
  "os.version",
  "os.features",
  "variant",
  "features",
]);

/**
 * Why the manifest has a key Go clients would read differently, or null. In every object a
 * manifest struct decodes, a key must be a field name spelled exactly or match none, and no
 * two keys may differ only in case.
 *
 * @example findCaseVariantKey({ layers: [], Layers: [] }) // 'manifest has "layers" and ...'
 */
export function findCaseVariantKey(document: Record<string, unknown>): string | null {
  const problem = checkObject(document, MANIFEST_FIELDS, "manifest");
  if (problem !== null) return problem;

  for (const field of ["config", "subject"]) {
    const problem = checkDescriptor(document[field], field);
    if (problem !== null) return problem;
  }
  for (const field of ["layers", "manifests"]) {
    const list = document[field];
    if (!Array.isArray(list)) continue;
    for (const [index, item] of list.entries()) {
      const problem = checkDescriptor(item, `${field}[${index}]`);
      if (problem !== null) return problem;
    }
  }
  return null;
}

function checkDescriptor(value: unknown, where: string): string | null {
  if (!isObject(value)) return null;
  const problem = checkObject(value, DESCRIPTOR_FIELDS, where);
  if (problem !== null || !isObject(value.platform)) return problem;
  return checkObject(value.platform, PLATFORM_FIELDS, `${where}.platform`);
}

function checkObject(record: Record<string, unknown>, fields: FieldsByFold, where: string) {
  const keyByFold = new Map<string, string>();
  for (const key of Object.keys(record)) {
    const folded = foldLikeGo(key);
    const field = fields.get(folded);
    if (field !== undefined && field !== key) {
      return `${where} has ${JSON.stringify(key)}, which clients read as ${JSON.stringify(field)}: field names must be spelled exactly`;
    }
    const earlier = keyByFold.get(folded);
    if (earlier !== undefined) {
      return `${where} has ${JSON.stringify(earlier)} and ${JSON.stringify(key)}, which differ only in letter case`;
    }
    keyByFold.set(folded, key);
  }
  return null;
}

/** Field names by their folded form. */
type FieldsByFold = ReadonlyMap<string, string>;

function byFold(fields: string[]): FieldsByFold {
  return new Map(fields.map((field) => [foldLikeGo(field), field]));
}

/** The key as Go compares it with a field name: two keys Go takes for one fold the same. */
function foldLikeGo(key: string): string {
  let folded = "";
  for (const char of key) {
    if (char.charCodeAt(0) < 0x80) {
      folded += char.toUpperCase();
      continue;
    }
    const special = NON_ASCII_FOLDS[char];
    // JavaScript maps case fully (ß to SS) where Go maps one character to one.
    const mapped = char.toLowerCase().toUpperCase();
    folded += special ?? ([...mapped].length === 1 ? mapped : char);
  }
  return folded;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

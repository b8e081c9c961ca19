import { RegistryError } from "./registry-error.ts";

/** Repository name grammar of the distribution spec ("Pulling manifests", `<name>`). */
const NAME_COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
const REPOSITORY_NAME = new RegExp(`^${NAME_COMPONENT}(?:/${NAME_COMPONENT})*$`);
/** Tag grammar of the distribution spec: at most 128 characters, no leading `.` or `-`. */
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/**
 * The spec asks clients to keep host plus name under 256 characters; MCR enforces that on
 * the name alone so that every stored name can be pulled by some client.
 */
export const MAX_REPOSITORY_NAME_LENGTH = 255;

/** Checks a repository name (`library/busybox`) and returns it. */
export function parseRepositoryName(text: string): string {
  if (text.length > MAX_REPOSITORY_NAME_LENGTH) {
    throw new RegistryError(
      "name-invalid",
      `repository name is ${text.length} characters long; the limit is ${MAX_REPOSITORY_NAME_LENGTH}`,
    );
  }
  if (!REPOSITORY_NAME.test(text)) {
    throw new RegistryError(
      "name-invalid",
      `${JSON.stringify(text)} is not a repository name: use lower-case letters and digits, ` +
        "separated by '.', '_', '__', '-' or '/'",
    );
  }
  return text;
}

/** True when `text` is a valid tag. `sha256-<hex>` is a tag: only a colon makes a digest. */
export function isTag(text: string): boolean {
  return TAG.test(text);
}

/** Checks a tag and returns it. */
export function parseTag(text: string): string {
  if (!isTag(text)) {
    throw new RegistryError(
      "tag-invalid",
      `${JSON.stringify(text)} is not a tag: up to 128 letters, digits, '_', '.' or '-', ` +
        "not starting with '.' or '-'",
    );
  }
  return text;
}

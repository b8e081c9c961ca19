import { parseRepositoryName } from "../../registry/names.ts";
import { UsageError } from "./errors.ts";

/**
 * A repository name checked before it goes into a URL path. A segment such as `..` would be
 * folded away by the HTTP client and the request would name another repository.
 */
export function checkedRepositoryName(name: string): string {
  try {
    return parseRepositoryName(name);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Characters a repository glob may contain: those of repository names, `/` and `*`. */
const GLOB_CHARACTERS = /^[a-z0-9._\-/*]+$/;

/**
 * Checks a repository glob, returning why it is unusable or null when it is fine.
 *
 * @example globProblem("team/**") // null
 */
export function globProblem(glob: string): string | null {
  if (!glob) return "a repository glob cannot be empty";
  if (!GLOB_CHARACTERS.test(glob)) {
    return `repository glob ${JSON.stringify(glob)} may hold only lower-case letters, digits, ., _, -, / and *`;
  }
  if (/\*{3,}/.test(glob)) return `repository glob ${JSON.stringify(glob)} has more than two *`;
  return null;
}

const compiled = new Map<string, RegExp>();

/**
 * True when `repository` matches `glob`: `*` matches within one path segment, `**` matches
 * across segments. `team/**` matches `team/app` and `team/a/b`, not `team` itself.
 */
export function globMatches(glob: string, repository: string): boolean {
  let pattern = compiled.get(glob);
  if (!pattern) {
    const source = glob
      .split("**")
      .map((part) =>
        part
          .split("*")
          .map((literal) => literal.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
          .join("[^/]*"),
      )
      .join(".*");
    pattern = new RegExp(`^${source}$`);
    compiled.set(glob, pattern);
  }
  return pattern.test(repository);
}

import type { RegistryAction } from "../auth/access.ts";
import { scopeActionFor } from "../auth/scope.ts";

/**
 * The WWW-Authenticate header of a 401 (Docker token authentication specification): where to
 * get a token, for which service, and the scope this request needs. /v2/ itself names no
 * scope.
 */
export function bearerChallenge(options: {
  realm: string;
  service: string;
  actions: readonly RegistryAction[];
  repository: string | null;
  error?: string;
}): string {
  const parts = [`realm="${options.realm}"`, `service="${options.service}"`];
  const scope = challengeScope(options.actions, options.repository);
  if (scope) parts.push(`scope="${scope}"`);
  if (options.error) parts.push(`error="${options.error}"`);
  return `Bearer ${parts.join(",")}`;
}

function challengeScope(actions: readonly RegistryAction[], repository: string | null) {
  const first = actions[0];
  if (!first || first === "registry:version_check") return null;
  if (first === "registry:catalog") return "registry:catalog:*";
  // A push needs reads too (existence checks), so clients ask for both, as Distribution does.
  const wanted = first === "registry:push" ? "pull,push" : scopeActionFor(first);
  return `repository:${repository}:${wanted}`;
}

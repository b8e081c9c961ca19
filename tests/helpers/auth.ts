/** Helpers for the access tests: a registry with local accounts, credentials, tokens. */
import { expect } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AccountRecord } from "../../src/db/accounts.ts";
import type { PolicyRuleInput } from "../../src/db/policy-rules.ts";
import type { PolicyRule } from "../../src/policy/rule.ts";
import { imageManifest, sha256 } from "./oci-client.ts";
import { expectOciError } from "./oci-expect.ts";
import { startTestRegistry, type TestRegistry } from "./test-registry.ts";

/** A registry with the local identity provider, and its generated admin's credentials. */
export interface AuthRegistry extends TestRegistry {
  /** `Authorization` value of the generated admin. */
  admin: string;
  adminPassword: string;
}

/** Starts a registry with MCR_AUTH_PROVIDER=local and reads the generated admin password. */
export async function startAuthRegistry(env: Record<string, string> = {}): Promise<AuthRegistry> {
  const registry = await startTestRegistry({ env: { MCR_AUTH_PROVIDER: "local", ...env } });
  const adminPassword = readAdminPassword(registry.dataDir);
  return { ...registry, adminPassword, admin: basic("admin", adminPassword) };
}

/** The password `mcr serve` generated for the first admin of a data folder. */
export function readAdminPassword(dataDir: string): string {
  return readFileSync(join(dataDir, "admin-password"), "utf8").trim();
}

/** An `Authorization: Basic` value. */
export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/** An `Authorization: Bearer` value. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}

/** Creates a system account with an API token; the `Authorization` value logs in with it. */
export async function createSystemAccount(
  registry: TestRegistry,
  username: string,
): Promise<{ account: AccountRecord; token: string; authorization: string }> {
  const { accounts } = registry.running.accessLayer;
  const account = await accounts.create({ username, accountType: "system", roles: [] }, null);
  const issued = await accounts.createApiToken(
    username,
    { description: "test token", ttlSeconds: null },
    null,
  );
  return { account, token: issued.secret, authorization: basic(username, issued.secret) };
}

/** Stores a policy rule; fields not given are empty (match anything) or allow. */
export function addRule(registry: TestRegistry, rule: Partial<PolicyRuleInput>) {
  return registry.running.accessLayer.policy.create(ruleInput(rule), null);
}

/** A complete rule input with neutral defaults. */
export function ruleInput(rule: Partial<PolicyRuleInput>): PolicyRuleInput {
  return {
    priority: 100,
    effect: "allow",
    subjects: [],
    accountTypes: [],
    roles: [],
    actions: [],
    repositories: [],
    description: "",
    enabled: true,
    ...rule,
  };
}

/** Deletes rules a test added. */
export async function removeRules(registry: TestRegistry, rules: PolicyRule[]) {
  for (const rule of rules) await registry.running.accessLayer.policy.delete(rule.id, null);
}

/** GET /v2/token with the given query, as docker does. */
export function requestToken(
  base: string,
  query: { scope?: string[]; service?: string; offline?: boolean } = {},
  authorization?: string,
): Promise<Response> {
  const url = new URL("/v2/token", base);
  url.searchParams.set("service", query.service ?? "mcr");
  for (const scope of query.scope ?? []) url.searchParams.append("scope", scope);
  if (query.offline) url.searchParams.set("offline_token", "true");
  return fetch(url, { headers: authorization ? { Authorization: authorization } : {} });
}

/** A registry token for the scopes; throws unless the endpoint answers 200. */
export async function tokenFor(base: string, scope: string[], authorization?: string) {
  const response = await requestToken(base, { scope }, authorization);
  if (response.status !== 200) {
    throw new Error(`token request: ${response.status} ${await response.text()}`);
  }
  return ((await response.json()) as { token: string }).token;
}

/** The parameters of a `WWW-Authenticate: Bearer` challenge. */
export function parseChallenge(header: string | null): Record<string, string> {
  if (!header?.startsWith("Bearer ")) throw new Error(`not a Bearer challenge: ${header}`);
  const parameters: Record<string, string> = {};
  for (const match of header.matchAll(/(\w+)="([^"]*)"/g)) {
    parameters[match[1] ?? ""] = match[2] ?? "";
  }
  return parameters;
}

/** Uploads a blob with POST + PUT as `authorization`; returns the final response. */
export async function pushBlobAs(
  base: string,
  name: string,
  data: string,
  authorization: string,
): Promise<{ digest: string; response: Response }> {
  const digest = sha256(data);
  const headers = { Authorization: authorization };
  const start = await fetch(`${base}/v2/${name}/blobs/uploads/`, { method: "POST", headers });
  if (start.status !== 202) return { digest, response: start };
  const location = new URL(start.headers.get("location") ?? "", base);
  location.searchParams.set("digest", digest);
  const response = await fetch(location, { method: "PUT", headers, body: data });
  return { digest, response };
}

/** Pushes a one-layer image as `authorization`; throws unless every step succeeds. */
export async function pushImageAs(
  base: string,
  name: string,
  tag: string,
  authorization: string,
  seed = tag,
) {
  const config = JSON.stringify({ architecture: "amd64", os: "linux", seed });
  const layer = `layer of ${name}:${seed}`;
  for (const blob of [config, layer]) {
    const { response } = await pushBlobAs(base, name, blob, authorization);
    if (response.status !== 201) throw new Error(`blob upload: ${response.status}`);
  }
  const manifest = imageManifest({ digest: sha256(config), size: config.length }, [
    { digest: sha256(layer), size: layer.length },
  ]);
  const response = await fetch(`${base}/v2/${name}/manifests/${tag}`, {
    method: "PUT",
    headers: {
      Authorization: authorization,
      "Content-Type": "application/vnd.oci.image.manifest.v1+json",
    },
    body: manifest,
  });
  if (response.status !== 201) throw new Error(`PUT manifest: ${response.status}`);
  return {
    digest: sha256(manifest),
    manifest,
    configDigest: sha256(config),
    layerDigest: sha256(layer),
  };
}

/** POST /v2/token with an OAuth2 form, as containerd does; a list value repeats the key. */
export function postToken(base: string, form: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    for (const item of [value].flat()) body.append(key, item);
  }
  return fetch(new URL("/v2/token", base), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body,
  });
}

/** Asserts a 401 whose Bearer challenge carries `error` (and `scope`, when given). */
export async function expectTokenError(response: Response, error: string, scope?: string) {
  const challenge = parseChallenge(response.headers.get("www-authenticate"));
  expect(challenge.error).toBe(error);
  if (scope) expect(challenge.scope).toBe(scope);
  await expectOciError(response, 401, "UNAUTHORIZED");
}

/** Helpers for the admin REST API tests: requests to /v1 and the JSON they answer. */
import { expect } from "bun:test";

/** An account as GET /v1/accounts shows it. */
export interface AccountJson {
  id: string;
  username: string;
  account_type: "human" | "system";
  roles: string[];
  disabled: boolean;
  created_at: string;
}

/** An API or session token as GET /v1/accounts/:username/tokens shows it. */
export interface TokenJson {
  id: string;
  kind: string;
  description: string;
  created_at: string;
  expires_at: string | null;
  revoked: boolean;
}

/** A policy rule as /v1/policy/rules shows it. */
export interface RuleJson {
  id: number;
  priority: number;
  effect: "allow" | "deny";
  subjects: string[];
  account_types: string[];
  roles: string[];
  actions: string[];
  repositories: string[];
  description: string;
  enabled: boolean;
  builtin: boolean;
}

/** One event of GET /v1/audit. */
export interface AuditEventJson {
  id: number;
  time: string;
  event_type: string;
  actor: string | null;
  repository: string | null;
  digest: string | null;
  client_address: string | null;
  details: Record<string, unknown> | null;
}

/** A refusal: `{"error": "..."}`. */
export interface ErrorJson {
  error: string;
}

/** What a /v1 request answered: the status, the parsed JSON body (null when empty). */
export interface ApiAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** How to send one request: credentials, and a JSON value or raw text as the body. */
export interface ApiRequestOptions {
  authorization?: string;
  json?: unknown;
  rawBody?: string;
}

/**
 * Sends one request to the registry at `base` and reads the answer as JSON.
 *
 * @example await callApi<{ accounts: AccountJson[] }>(url, "GET", "/v1/accounts", { authorization })
 */
export async function callApi<T = ErrorJson>(
  base: string,
  method: string,
  path: string,
  options: ApiRequestOptions = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = {};
  if (options.authorization) headers.Authorization = options.authorization;
  let body: string | undefined = options.rawBody;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["Content-Type"] = "application/json";
  }
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  const parsed = text === "" ? null : (JSON.parse(text) as T);
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

/**
 * Asserts that an answer is the API's refusal with `status`: a JSON `{"error": "..."}` with
 * a message. Returns the message.
 */
export function expectApiError(answer: ApiAnswer<unknown>, status: number): string {
  // Compared with the body alongside, so that a wrong status shows what the server said.
  expect({ status: answer.status, body: answer.text }).toMatchObject({ status });
  expect(answer.headers.get("content-type")).toContain("application/json");
  const { error } = answer.body as ErrorJson;
  expect(typeof error).toBe("string");
  expect(error.length).toBeGreaterThan(0);
  return error;
}

/** Asserts a success status, showing the body when it is not. */
export function expectStatus(answer: ApiAnswer<unknown>, status: number): void {
  expect({ status: answer.status, body: answer.text }).toMatchObject({ status });
}

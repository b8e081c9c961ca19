import { expect } from "bun:test";
import { type RawAnswer, rawRequest, resolvedPath } from "./raw-request.ts";

/**
 * The statuses each OCI error code may come with: the distribution spec's error table, plus
 * the statuses the spec gives for chunk order (416), size limits (413) and stalled bodies.
 */
const STATUSES_OF_CODE: Record<string, readonly number[]> = {
  BLOB_UNKNOWN: [404],
  BLOB_UPLOAD_INVALID: [400, 408, 416],
  BLOB_UPLOAD_UNKNOWN: [404],
  DIGEST_INVALID: [400],
  MANIFEST_BLOB_UNKNOWN: [400, 404],
  MANIFEST_INVALID: [400],
  MANIFEST_UNKNOWN: [404],
  NAME_INVALID: [400],
  NAME_UNKNOWN: [404],
  SIZE_INVALID: [400, 413, 416],
  UNAUTHORIZED: [401],
  DENIED: [403],
  UNSUPPORTED: [400, 404, 405],
  PAGINATION_NUMBER_INVALID: [400],
};

/** One acceptable outcome: a success status, or an error status with its OCI code. */
export type Outcome = number | readonly [status: number, code: string];

/** The first OCI error code of an answer, checking the body has the spec's error shape. */
function errorCodeOf(answer: RawAnswer, context: string): string {
  const text = answer.body.toString("utf8");
  expect({ context, type: answer.headers.get("content-type") ?? null }).toMatchObject({
    type: expect.stringContaining("application/json"),
  });
  const body = JSON.parse(text) as { errors?: Array<{ code?: unknown; message?: unknown }> };
  const first = body.errors?.[0];
  expect({ context, code: typeof first?.code, message: typeof first?.message }).toEqual({
    context,
    code: "string",
    message: "string",
  });
  return first?.code as string;
}

/**
 * Asserts the answer is a 4xx whose code is known and fits its status, or a success: never
 * a 5xx. With `allowed`, the outcome must also be one of those. Returns the error code, or
 * null for a success.
 */
export function expectOciAnswer(
  answer: RawAnswer,
  context: string,
  allowed?: readonly Outcome[],
): string | null {
  const text = answer.body.toString("utf8").slice(0, 300);
  if (answer.status >= 500) throw new Error(`${context}: answered ${answer.status}: ${text}`);

  if (answer.status < 400) {
    if (allowed && !allowed.includes(answer.status)) {
      throw new Error(`${context}: answered ${answer.status}, expected ${describe(allowed)}`);
    }
    return null;
  }
  const code = errorCodeOf(answer, context);
  const statuses = STATUSES_OF_CODE[code];
  if (!statuses?.includes(answer.status)) {
    throw new Error(`${context}: ${answer.status} ${code} is not a pair of the spec: ${text}`);
  }
  const fits = (outcome: Outcome) =>
    typeof outcome !== "number" && outcome[0] === answer.status && outcome[1] === code;
  if (allowed && !allowed.some(fits)) {
    throw new Error(`${context}: answered ${answer.status} ${code}, expected ${describe(allowed)}`);
  }
  return code;
}

/** The registry still answers the version check: nothing above crashed or wedged it. */
export async function expectRegistryAlive(
  port: number,
  headers: Record<string, string> = {},
): Promise<void> {
  const answer = await rawRequest(port, { method: "GET", target: "/v2/", headers });
  expect(answer.status).toBe(200);
}

function describe(allowed: readonly Outcome[]): string {
  return allowed.map((o) => (typeof o === "number" ? String(o) : o.join(" "))).join(" | ");
}

/**
 * The check for a request whose path names another resource than the one under test: the
 * HTTP layer resolved dot segments or backslashes, or a slash moved the segment boundary.
 * It must still get an OCI answer, or the plain JSON 404 of a path outside /v2.
 */
export function expectAnswerForOtherPath(answer: RawAnswer, target: string): void {
  if (resolvedPath(target).startsWith("/v2/")) {
    expectOciAnswer(answer, target);
    return;
  }
  expect({ target, status: answer.status }).toEqual({ target, status: 404 });
  expect(JSON.parse(answer.body.toString("utf8"))).toHaveProperty("error");
}

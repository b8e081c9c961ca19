import { ApiError } from "../api/api-error.ts";
import { HttpError } from "./api-error.ts";

/** Admin requests are small; anything larger is not one. */
const MAX_JSON_BYTES = 64 * 1024;

/** Reads a JSON object body, refusing anything else with a message that says what. */
export async function readJsonObject(request: Request): Promise<JsonObject> {
  const text = await readLimitedText(request);
  let value: unknown;
  try {
    value = JSON.parse(text || "{}");
  } catch (error) {
    throw invalid(`body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid("body must be a JSON object");
  }
  for (const [name, field] of Object.entries(value)) {
    if (field === null) throw invalid(`${name} cannot be null; leave it out instead`);
  }
  return new JsonObject(value as Record<string, unknown>);
}

/**
 * A request body's fields, read with their JSON types checked. Values are the admin API's
 * to judge; this only says when a field has the wrong type.
 */
export class JsonObject {
  constructor(private readonly fields: Record<string, unknown>) {}

  /** A required, non-empty string. */
  string(name: string): string {
    const value = this.fields[name];
    if (typeof value !== "string" || value === "") {
      throw invalid(`${name} is required and must be a non-empty string`);
    }
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.#optional(name, "string", "a string") as string | undefined;
  }

  optionalNumber(name: string): number | undefined {
    return this.#optional(name, "number", "a number") as number | undefined;
  }

  optionalBoolean(name: string): boolean | undefined {
    return this.#optional(name, "boolean", "true or false") as boolean | undefined;
  }

  optionalStringList(name: string): string[] | undefined {
    const value = this.fields[name];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
      throw invalid(`${name} must be a list of strings`);
    }
    return value;
  }

  /** A duration such as "90d", or a number of seconds. */
  optionalDuration(name: string): string | undefined {
    const value = this.fields[name];
    if (typeof value === "number") return `${value}s`;
    return this.optionalString(name);
  }

  #optional(name: string, type: string, described: string): unknown {
    const value = this.fields[name];
    if (value === undefined) return undefined;
    if (typeof value !== type) throw invalid(`${name} must be ${described}`);
    return value;
  }
}

/**
 * The body as text, refused with 413 as soon as it passes the limit: by its Content-Length,
 * or, for a chunked body that announces none, by counting what arrives. request.text()
 * would buffer a body of any size before the length could be checked.
 */
async function readLimitedText(request: Request): Promise<string> {
  // Login is public: without this, anyone could make the server hold hundreds of MiB.
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_JSON_BYTES) throw tooLarge();
  if (request.body === null) return "";

  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read().catch(() => {
        // Bun fails the read when the client goes away mid-body: its fault, not a bug.
        throw new HttpError(400, "the connection closed before the body was complete");
      });
      if (done) break;
      total += value.length;
      if (total > MAX_JSON_BYTES) throw tooLarge();
      parts.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return new TextDecoder().decode(Buffer.concat(parts, total));
}

function tooLarge() {
  return new HttpError(413, `body over ${MAX_JSON_BYTES} bytes`);
}

function invalid(message: string) {
  return new ApiError("invalid-argument", message);
}

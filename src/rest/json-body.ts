import { ApiError } from "../api/api-error.ts";
import { HttpError } from "./api-error.ts";

/** Admin requests are small; anything larger is not one. */
const MAX_JSON_BYTES = 64 * 1024;

/** Reads a JSON object body, refusing anything else with a message that says what. */
export async function readJsonObject(request: Request): Promise<JsonObject> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_JSON_BYTES) throw tooLarge();
  const text = await readAtMost(request, MAX_JSON_BYTES);
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
 * The body as text, refused as soon as it passes `limit` bytes. A chunked body announces no
 * length, and reading it whole first let anyone (login is public) make the server hold
 * hundreds of MiB before the size was checked.
 */
async function readAtMost(request: Request, limit: number): Promise<string> {
  if (request.body === null) return "";
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of request.body) {
    total += chunk.length;
    if (total > limit) throw tooLarge();
    parts.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(parts, total));
}

function tooLarge(): HttpError {
  return new HttpError(413, `body over ${MAX_JSON_BYTES} bytes`);
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

function invalid(message: string) {
  return new ApiError("invalid-argument", message);
}

import { ApiError } from "./api-error.ts";

/** Admin requests are small; anything larger is not one. */
const MAX_JSON_BYTES = 64 * 1024;

/** Reads a JSON object body, refusing anything else with a message that says what. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_JSON_BYTES) throw new ApiError(413, `body over ${MAX_JSON_BYTES} bytes`);
  const text = await request.text();
  if (text.length > MAX_JSON_BYTES) throw new ApiError(413, `body over ${MAX_JSON_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text || "{}");
  } catch (error) {
    throw new ApiError(400, `body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ApiError(400, "body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/** A required string field. */
export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== "string" || value === "") {
    throw new ApiError(400, `${name} is required and must be a non-empty string`);
  }
  return value;
}

/** An optional list of strings; absent means empty. */
export function stringListField(body: Record<string, unknown>, name: string): string[] {
  const value = body[name];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw new ApiError(400, `${name} must be a list of strings`);
  }
  return value;
}

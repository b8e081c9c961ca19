/** Puts a REST answer and an RPC answer in one comparable form, for the parity tests. */
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { toJson } from "@bufbuild/protobuf";

/**
 * An RPC message as the REST API would write it: snake_case field names (the proto names),
 * implicit fields present. `field` picks the one field a response wraps its answer in.
 */
export function rpcAsRest<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  field?: string,
): unknown {
  const json = toJson(schema, message, { useProtoFieldName: true, alwaysEmitImplicit: true });
  if (field === undefined) return json;
  return (json as Record<string, unknown>)[field];
}

/**
 * The form both sides are compared in. Protobuf JSON writes int64 as a string and leaves an
 * unset message or optional field out where REST writes null, so: null fields are dropped and
 * whole-number strings become numbers, on both sides alike. Keys named in `ignore` are
 * dropped at every depth (ids, secrets and times that differ between twin objects).
 */
export function comparable(value: unknown, ignore: string[] = []): unknown {
  if (Array.isArray(value)) return value.map((item) => comparable(item, ignore));
  if (typeof value === "string" && /^-?\d{1,15}$/.test(value)) return Number(value);
  if (value === null || typeof value !== "object") return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === undefined || ignore.includes(key)) continue;
    result[key] = comparable(item, ignore);
  }
  return result;
}

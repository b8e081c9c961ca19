import {
  type DescField,
  type DescMessage,
  type JsonObject,
  type JsonValue,
  type MessageShape,
  ScalarType,
  toJson,
} from "@bufbuild/protobuf";

/** Messages whose JSON form is already what the REST API writes. */
const VERBATIM = new Set([
  "google.protobuf.Struct",
  "google.protobuf.Value",
  "google.protobuf.ListValue",
]);

const INT64_TYPES = new Set([
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.SINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
]);

/**
 * A response message in the REST API's JSON shape. Protobuf's JSON already uses the
 * proto's snake_case names; what differs is fixed here, field by field from the schema:
 * unset optional and message fields become null (protobuf leaves them out), int64 strings
 * become numbers, and Timestamps take the REST form of `Date.toISOString()` (protobuf
 * drops a zero fraction, REST always writes milliseconds).
 *
 * @example restShape(GcStatusSchema, status) // { state: "idle", phase: null, current: null, last: null }
 */
export function restShape<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
): JsonObject {
  const json = toJson(schema, message, { useProtoFieldName: true, alwaysEmitImplicit: true });
  return messageShape(schema, json as JsonObject);
}

function messageShape(schema: DescMessage, json: JsonObject): JsonObject {
  const shaped: JsonObject = {};
  for (const field of schema.fields) shaped[field.name] = fieldShape(field, json[field.name]);
  return shaped;
}

function fieldShape(field: DescField, value: JsonValue | undefined): JsonValue {
  if (value === undefined || value === null) return field.fieldKind === "list" ? [] : null;
  switch (field.fieldKind) {
    case "scalar":
      return scalarShape(field.scalar, value);
    case "message":
      return nestedShape(field.message, value);
    case "list":
      return (value as JsonValue[]).map((item) => {
        if (field.listKind === "scalar") return scalarShape(field.scalar, item);
        if (field.listKind === "message") return nestedShape(field.message, item);
        return item;
      });
    default:
      return value;
  }
}

function nestedShape(schema: DescMessage, value: JsonValue): JsonValue {
  if (schema.typeName === "google.protobuf.Timestamp") {
    return new Date(value as string).toISOString();
  }
  if (VERBATIM.has(schema.typeName)) return value;
  return messageShape(schema, value as JsonObject);
}

function scalarShape(type: ScalarType, value: JsonValue): JsonValue {
  return INT64_TYPES.has(type) ? Number(value) : value;
}

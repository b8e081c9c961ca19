import { type Timestamp, timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";

/** Milliseconds since the epoch as a protobuf Timestamp; unset for null. */
export function timestamp(millis: number | null): Timestamp | undefined {
  return millis === null ? undefined : timestampFromMs(millis);
}

/** An ISO 8601 time as a protobuf Timestamp; unset for null. */
export function timestampOfIso(iso: string | null): Timestamp | undefined {
  return iso === null ? undefined : timestampFromMs(Date.parse(iso));
}

/** A Timestamp as milliseconds; undefined when unset. */
export function millisOf(value: Timestamp | undefined): number | undefined {
  return value === undefined ? undefined : timestampMs(value);
}

/** Null as unset, for optional string fields. */
export function optional<T>(value: T | null): T | undefined {
  return value ?? undefined;
}

/** A count, size or id as a protobuf int64. */
export function int64(value: number): bigint {
  return BigInt(value);
}

/** An int64 from a request as a number; beyond 2^53 it names nothing that exists anyway. */
export function numberOf(value: bigint): number {
  return Number(value);
}

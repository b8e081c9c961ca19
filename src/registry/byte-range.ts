import type { ByteRange } from "../storage/blob-store.ts";
import { RegistryError } from "./registry-error.ts";

/**
 * Reads a GET Range header (`bytes=0-99`, `bytes=100-`, `bytes=-100`) against a blob of
 * `size` bytes. Returns null for no header or one MCR does not honour (several ranges, another
 * unit), in which case the whole blob is sent, as RFC 9110 allows. Throws
 * "range-unsatisfiable" when the range lies wholly past the end.
 */
export function parseRangeHeader(header: string | null, size: number): ByteRange | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null;

  let start: number;
  let end: number;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) throw unsatisfiable(header, size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (match[2] !== "" && Number(match[2]) < start) return null;
  }
  if (start >= size) throw unsatisfiable(header, size);
  return { start, end };
}

/**
 * Reads the Content-Range of an upload PATCH. The distribution spec writes it `<start>-<end>`
 * without a unit; `bytes <start>-<end>/<total>` from HTTP is accepted too. Returns null when
 * absent; throws "upload-invalid" when malformed.
 */
export function parseUploadContentRange(header: string | null): ByteRange | null {
  if (!header) return null;
  const match = /^(?:bytes\s+)?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!match) {
    throw new RegistryError(
      "upload-invalid",
      `Content-Range ${JSON.stringify(header)} is not of the form <start>-<end>`,
    );
  }
  const range = { start: Number(match[1]), end: Number(match[2]) };
  if (range.end < range.start) {
    throw new RegistryError("upload-invalid", `Content-Range ${header} ends before it starts`);
  }
  return range;
}

function unsatisfiable(header: string, size: number): RegistryError {
  return new RegistryError(
    "range-unsatisfiable",
    `range ${header} is outside the blob's ${size} bytes`,
    { size },
  );
}

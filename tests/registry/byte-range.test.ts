import { describe, expect, test } from "bun:test";
import { parseRangeHeader, parseUploadContentRange } from "../../src/registry/byte-range.ts";
import { RegistryError } from "../../src/registry/registry-error.ts";

/** The error `work` throws; fails the test when it throws nothing. */
function refusal(work: () => unknown): RegistryError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    return error as RegistryError;
  }
  throw new Error("accepted");
}

describe("parseRangeHeader", () => {
  const SIZE = 1000;

  test("no header means the whole blob", () => {
    expect(parseRangeHeader(null, SIZE)).toBeNull();
    expect(parseRangeHeader("", SIZE)).toBeNull();
  });

  test("bytes=a-b is inclusive at both ends", () => {
    expect(parseRangeHeader("bytes=0-99", SIZE)).toEqual({ start: 0, end: 99 });
    expect(parseRangeHeader("bytes=10-10", SIZE)).toEqual({ start: 10, end: 10 });
  });

  test("an end past the blob is cut to its last byte", () => {
    expect(parseRangeHeader("bytes=900-5000", SIZE)).toEqual({ start: 900, end: 999 });
  });

  test("bytes=a- runs to the end", () => {
    expect(parseRangeHeader("bytes=100-", SIZE)).toEqual({ start: 100, end: 999 });
  });

  test("bytes=-n is the last n bytes", () => {
    expect(parseRangeHeader("bytes=-100", SIZE)).toEqual({ start: 900, end: 999 });
  });

  test("a suffix longer than the blob is the whole blob", () => {
    expect(parseRangeHeader("bytes=-5000", SIZE)).toEqual({ start: 0, end: 999 });
  });

  test("the last byte alone can be asked for", () => {
    expect(parseRangeHeader("bytes=999-", SIZE)).toEqual({ start: 999, end: 999 });
  });

  test("a start at the end of the blob is unsatisfiable, with the size", () => {
    const error = refusal(() => parseRangeHeader("bytes=1000-", SIZE));
    expect(error.kind).toBe("range-unsatisfiable");
    expect(error.detail).toEqual({ size: SIZE });
  });

  test("a range wholly past the end is unsatisfiable", () => {
    expect(refusal(() => parseRangeHeader("bytes=2000-3000", SIZE)).kind).toBe(
      "range-unsatisfiable",
    );
  });

  test("a zero-length suffix is unsatisfiable", () => {
    expect(refusal(() => parseRangeHeader("bytes=-0", SIZE)).kind).toBe("range-unsatisfiable");
  });

  test("any range of an empty blob is unsatisfiable", () => {
    expect(refusal(() => parseRangeHeader("bytes=0-", 0)).kind).toBe("range-unsatisfiable");
    expect(refusal(() => parseRangeHeader("bytes=-10", 0)).kind).toBe("range-unsatisfiable");
  });

  const IGNORED = [
    "bytes=0-9,20-29",
    "bytes=-",
    "items=0-9",
    "bytes 0-9",
    "bytes=a-b",
    "bytes=50-10",
  ];
  for (const header of IGNORED) {
    test(`${header} is ignored and the whole blob sent`, () => {
      expect(parseRangeHeader(header, SIZE)).toBeNull();
    });
  }
});

describe("parseUploadContentRange", () => {
  test("no header is no range", () => {
    expect(parseUploadContentRange(null)).toBeNull();
  });

  test("reads the spec's <start>-<end>", () => {
    expect(parseUploadContentRange("0-1023")).toEqual({ start: 0, end: 1023 });
  });

  test("reads HTTP's bytes <start>-<end>/<total>", () => {
    expect(parseUploadContentRange("bytes 1024-2047/4096")).toEqual({ start: 1024, end: 2047 });
  });

  test("reads an unknown total", () => {
    expect(parseUploadContentRange("bytes 0-9/*")).toEqual({ start: 0, end: 9 });
  });

  test("a one-byte range starts and ends at the same offset", () => {
    expect(parseUploadContentRange("5-5")).toEqual({ start: 5, end: 5 });
  });

  test("an end before the start is upload-invalid", () => {
    const error = refusal(() => parseUploadContentRange("10-5"));
    expect(error.kind).toBe("upload-invalid");
    expect(error.message).toContain("ends before it starts");
  });

  for (const header of ["bytes=0-9", "0-", "-9", "a-b", "0-9/x", "0-9,10-19"]) {
    test(`${header} is upload-invalid`, () => {
      expect(refusal(() => parseUploadContentRange(header)).kind).toBe("upload-invalid");
    });
  }
});

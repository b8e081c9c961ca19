import { describe, expect, test } from "bun:test";
import { fetchPage, parsePageRequest } from "../../src/registry/pagination.ts";
import { RegistryError } from "../../src/registry/registry-error.ts";

describe("parsePageRequest", () => {
  test("no n means no limit", () => {
    expect(parsePageRequest(null, null)).toEqual({ limit: null, last: null });
    expect(parsePageRequest("", "b")).toEqual({ limit: null, last: "b" });
  });

  test("reads n and last", () => {
    expect(parsePageRequest("10", "alpine")).toEqual({ limit: 10, last: "alpine" });
  });

  test("n may be zero", () => {
    expect(parsePageRequest("0", null)).toEqual({ limit: 0, last: null });
  });

  test("an empty last is no last", () => {
    expect(parsePageRequest("5", "")).toEqual({ limit: 5, last: null });
  });

  for (const n of ["-1", "abc", "1.5", "1e3", "9999999999", " 5"]) {
    test(`n=${JSON.stringify(n)} is pagination-invalid`, () => {
      try {
        parsePageRequest(n, null);
        throw new Error("accepted");
      } catch (error) {
        expect(error).toBeInstanceOf(RegistryError);
        expect((error as RegistryError).kind).toBe("pagination-invalid");
      }
    });
  }
});

describe("fetchPage", () => {
  const LETTERS = ["a", "b", "c", "d", "e"];

  /** A fetch over LETTERS that records the limits it was asked for. */
  function source() {
    const limits: Array<number | null> = [];
    const fetch = async (limit: number | null) => {
      limits.push(limit);
      return limit === null ? LETTERS : LETTERS.slice(0, limit);
    };
    return { limits, fetch };
  }

  test("asks for one more than the limit and reports that more follow", async () => {
    const { limits, fetch } = source();
    expect(await fetchPage({ limit: 2, last: null }, fetch)).toEqual({
      items: ["a", "b"],
      hasMore: true,
    });
    expect(limits).toEqual([3]);
  });

  test("a limit that reaches the end has no more", async () => {
    const { fetch } = source();
    expect(await fetchPage({ limit: 5, last: null }, fetch)).toEqual({
      items: LETTERS,
      hasMore: false,
    });
  });

  test("no limit fetches everything", async () => {
    const { limits, fetch } = source();
    expect(await fetchPage({ limit: null, last: null }, fetch)).toEqual({
      items: LETTERS,
      hasMore: false,
    });
    expect(limits).toEqual([null]);
  });

  test("a limit of zero returns nothing without fetching", async () => {
    const { limits, fetch } = source();
    expect(await fetchPage({ limit: 0, last: null }, fetch)).toEqual({
      items: [],
      hasMore: false,
    });
    expect(limits).toEqual([]);
  });
});

import { RegistryError } from "./registry-error.ts";

/** A page request: `?n=` and `?last=` of the tags list and the catalog. */
export interface PageRequest {
  /** Most entries to return; null for all. */
  limit: number | null;
  /** Return entries after this one. */
  last: string | null;
}

/** A page of results, and whether more follow it. */
export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

/** Reads `n` and `last`; `n` must be a whole number when present. */
export function parsePageRequest(n: string | null, last: string | null): PageRequest {
  if (n === null || n === "") return { limit: null, last: last || null };
  if (!/^\d{1,9}$/.test(n)) {
    throw new RegistryError("pagination-invalid", `n must be a non-negative integer, got ${n}`);
  }
  return { limit: Number(n), last: last || null };
}

/**
 * Fetches one entry more than asked, to know whether a next page exists without a second
 * query.
 */
export async function fetchPage<T>(
  request: PageRequest,
  fetch: (limit: number | null) => Promise<T[]>,
): Promise<Page<T>> {
  if (request.limit === 0) return { items: [], hasMore: false };
  const rows = await fetch(request.limit === null ? null : request.limit + 1);
  if (request.limit !== null && rows.length > request.limit) {
    return { items: rows.slice(0, request.limit), hasMore: true };
  }
  return { items: rows, hasMore: false };
}

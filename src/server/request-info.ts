/** Facts about a request that the server learns and handlers need. */
export interface RequestInfo {
  id: string;
  clientAddress: string;
  /** The URL, parsed once by the server; `path` is its pathname (not percent-decoded). */
  url: URL;
  path: string;
}

const infos = new WeakMap<Request, RequestInfo>();

/** Records what the server knows about a request, before the application sees it. */
export function attachRequestInfo(request: Request, info: RequestInfo): void {
  infos.set(request, info);
}

/** What the server recorded about a request (a placeholder for one it never saw). */
export function requestInfo(request: Request): RequestInfo {
  const known = infos.get(request);
  if (known) return known;
  const url = new URL(request.url);
  return { id: "-", clientAddress: "unknown", url, path: url.pathname };
}

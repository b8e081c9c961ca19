/** Facts about a request that the server learns and handlers need. */
export interface RequestInfo {
  id: string;
  clientAddress: string;
  /** The URL's path, parsed once by the server (not percent-decoded). */
  path: string;
}

const infos = new WeakMap<Request, RequestInfo>();

/** Records what the server knows about a request, before the application sees it. */
export function attachRequestInfo(request: Request, info: RequestInfo): void {
  infos.set(request, info);
}

/** What the server recorded about a request (a placeholder for one it never saw). */
export function requestInfo(request: Request): RequestInfo {
  return (
    infos.get(request) ?? { id: "-", clientAddress: "unknown", path: new URL(request.url).pathname }
  );
}

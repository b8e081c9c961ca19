/**
 * The browser's address, remembered per request by the listener. The admin API sees `mcr web`
 * as its peer; the login forwards this address (X-Forwarded-For, believed only when the
 * registry lists mcr web in server.trusted_proxies) so that failed logins count against the
 * browser that made them, not against every user of the web UI at once.
 */
const addresses = new WeakMap<Request, string>();

/** Notes where a request came from; the listener calls this before handling it. */
export function rememberBrowserAddress(request: Request, address: string): void {
  addresses.set(request, address);
}

/** Where a request came from, or null when no listener said (a handler called directly). */
export function browserAddressOf(request: Request): string | null {
  return addresses.get(request) ?? null;
}

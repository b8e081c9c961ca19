/** A 303 to `location`, setting the given cookies; an HTMX request is told to go there itself. */
export function redirectTo(
  location: string,
  options: { cookies?: string[]; htmx?: boolean } = {},
): Response {
  const headers = new Headers();
  for (const cookie of options.cookies ?? []) headers.append("Set-Cookie", cookie);
  if (options.htmx) {
    // fetch() follows a 303 silently; HTMX navigates only when told with HX-Redirect.
    headers.set("HX-Redirect", location);
    return new Response(null, { status: 204, headers });
  }
  headers.set("Location", location);
  return new Response(null, { status: 303, headers });
}

/** An HTML page or fragment with a status. */
export function htmlResponse(markup: string, status = 200, cookies: string[] = []): Response {
  const headers = new Headers({ "Content-Type": "text/html; charset=utf-8" });
  for (const cookie of cookies) headers.append("Set-Cookie", cookie);
  return new Response(markup, { status, headers });
}

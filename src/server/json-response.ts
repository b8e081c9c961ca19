/**
 * A JSON response with its Content-Length stated, so that clients and the request log see
 * its size (Response.json leaves the length to be worked out while sending).
 */
export function jsonResponse(
  body: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  return new Response(bytes, {
    status: init.status ?? 200,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Length": String(bytes.byteLength),
      ...init.headers,
    },
  });
}

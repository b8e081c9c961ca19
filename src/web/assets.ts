import htmxScript from "htmx.org/dist/htmx.min.js" with { type: "text" };
import stylesheet from "./assets/style.css" with { type: "text" };

/**
 * The UI's static files, embedded in the executable so that it works offline: HTMX from its
 * npm package (htmx.org) and the one stylesheet.
 */
export const ASSETS: Record<string, { body: string; type: string }> = {
  "/assets/htmx.min.js": { body: htmxScript, type: "text/javascript; charset=utf-8" },
  "/assets/style.css": { body: stylesheet, type: "text/css; charset=utf-8" },
};

/** The asset at `path` as a response browsers may cache for an hour, or null. */
export function assetResponse(path: string): Response | null {
  const asset = ASSETS[path];
  if (!asset) return null;
  return new Response(asset.body, {
    headers: { "Content-Type": asset.type, "Cache-Control": "public, max-age=3600" },
  });
}

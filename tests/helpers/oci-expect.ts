import { expect } from "bun:test";

/** The error body the distribution spec prescribes ("Error Codes"). */
interface OciErrorBody {
  errors: Array<{ code: string; message: string; detail?: unknown }>;
}

/**
 * Asserts that a response is an OCI error with the given status and code, and that its body
 * has the spec's shape: `{"errors":[{"code","message"}]}` as JSON. Returns the body.
 */
export async function expectOciError(
  response: Response,
  status: number,
  code: string,
): Promise<OciErrorBody> {
  const text = await response.text();
  // Compared with the body alongside, so that a wrong status shows what the server said.
  expect({ status: response.status, body: text }).toMatchObject({ status });
  expect(response.headers.get("content-type")).toContain("application/json");
  const body = JSON.parse(text) as OciErrorBody;
  expect(Array.isArray(body.errors)).toBe(true);
  expect(body.errors.length).toBeGreaterThan(0);
  for (const error of body.errors) {
    expect(typeof error.code).toBe("string");
    expect(typeof error.message).toBe("string");
  }
  expect(body.errors[0]?.code).toBe(code);
  return body;
}

/** Asserts that a response carries no body bytes, as a HEAD answer or a 202/204 must not. */
export async function expectEmptyBody(response: Response): Promise<void> {
  expect((await response.arrayBuffer()).byteLength).toBe(0);
}

/** Opens an upload session and returns its absolute URL; throws unless the answer is 202. */
export async function openUpload(base: string, name: string): Promise<URL> {
  const response = await fetch(`${base}/v2/${name}/blobs/uploads/`, { method: "POST" });
  if (response.status !== 202) throw new Error(`POST upload: ${response.status}`);
  return new URL(response.headers.get("location") ?? "", base);
}

/** The same URL with `digest` set as its query parameter. */
export function withDigest(url: URL, digest: string): URL {
  const copy = new URL(url);
  copy.searchParams.set("digest", digest);
  return copy;
}

/** Pushes a manifest by tag or digest with its media type as Content-Type. */
export function putManifest(
  base: string,
  name: string,
  reference: string,
  manifest: string,
  contentType = "application/vnd.oci.image.manifest.v1+json",
): Promise<Response> {
  return fetch(`${base}/v2/${name}/manifests/${reference}`, {
    method: "PUT",
    headers: { "Content-Type": contentType },
    body: manifest,
  });
}

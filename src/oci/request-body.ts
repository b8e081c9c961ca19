import { RegistryError } from "../registry/registry-error.ts";

/**
 * The request body as chunks, or null when there is none. A body that sends nothing for
 * `stallSeconds` is aborted with "body-stalled": Bun's idle timeout cannot be set past 255 s
 * and does not see a client that trickles a byte at a time.
 */
export function bodyChunks(request: Request, stallSeconds: number) {
  if (request.body === null || request.headers.get("content-length") === "0") return null;
  return guardAgainstStalls(request.body, stallSeconds * 1000);
}

async function* guardAgainstStalls(
  stream: ReadableStream<Uint8Array>,
  stallMs: number,
): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let lastProgress = Date.now();
  let stalled = false;
  const watchdog = setInterval(
    () => {
      if (Date.now() - lastProgress < stallMs) return;
      stalled = true;
      reader.cancel().catch(() => {});
    },
    Math.max(100, Math.min(1000, stallMs / 4)),
  );
  try {
    for (;;) {
      const { done, value } = await reader.read();
      // A cancelled read ends like a finished body; only the flag tells them apart.
      if (stalled) {
        throw new RegistryError("body-stalled", `request body sent nothing for ${stallMs} ms`);
      }
      if (done) return;
      lastProgress = Date.now();
      yield value;
    }
  } finally {
    clearInterval(watchdog);
    reader.releaseLock();
  }
}

/**
 * Reads a whole body of at most `limit` bytes, refusing a larger one as soon as it is seen
 * (by Content-Length or by counting), without buffering more than the limit.
 */
export async function readLimitedBody(
  request: Request,
  limit: number,
  stallSeconds: number,
  what = "manifest",
): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) throw tooLarge(limit, what);
  const chunks = bodyChunks(request, stallSeconds);
  if (!chunks) return new Uint8Array(0);

  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > limit) throw tooLarge(limit, what);
    parts.push(chunk);
  }
  return Buffer.concat(parts, total);
}

function tooLarge(limit: number, what: string): RegistryError {
  return new RegistryError("body-too-large", `${what} is larger than the ${limit}-byte limit`);
}

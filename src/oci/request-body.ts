import { RegistryError } from "../registry/registry-error.ts";
import type { MemoryValve } from "../server/memory-valve.ts";
import { markLent, wasTaken } from "../storage/lent-chunks.ts";

/**
 * The least a request body must deliver in each stall window. Bun cuts a body slower than
 * about 16 KiB/s at its idle timeout (uWS resets that timer only after so many bytes), but
 * not with idle_timeout 0, and not by any promise of its documentation; this floor is ours.
 */
export const MIN_BYTES_PER_STALL_WINDOW = 1024;

/**
 * The request body as chunks, or null when there is none. A body that delivers less than
 * {@link MIN_BYTES_PER_STALL_WINDOW} in `stallSeconds` is aborted with "body-stalled": a
 * client trickling a byte at a time would otherwise hold its upload's lock for as long as it
 * likes. A body whose connection closes early ends with "body-incomplete". Large bodies (blob
 * uploads) pass `valve`, which may collect garbage as their chunks arrive.
 */
export function bodyChunks(request: Request, stallSeconds: number, valve?: MemoryValve) {
  return chunksOf(request, stallSeconds, valve, false);
}

/**
 * An upload's body as {@link bodyChunks}, with each chunk lent rather than given: its memory
 * goes back to the allocator as soon as the consumer asks for the next chunk, so the consumer
 * must have copied, written or taken it by then (lent-chunks.ts). Left to the collector,
 * each chunk's buffer (Bun allocates one per read) lives until the next collection, by when
 * the allocator has often returned its pages to the kernel; the next buffers then fault them
 * in again. Under 32 concurrent pushes that was about 250,000 page faults for 2 GiB of
 * bodies, and about half of the server's system time.
 */
export function lentBodyChunks(request: Request, stallSeconds: number, valve?: MemoryValve) {
  return chunksOf(request, stallSeconds, valve, true);
}

function chunksOf(
  request: Request,
  stallSeconds: number,
  valve: MemoryValve | undefined,
  lend: boolean,
) {
  if (request.body === null || request.headers.get("content-length") === "0") return null;
  const chunks = guardAgainstStalls(request.body, stallSeconds * 1000, valve, lend);
  return lend ? markLent(chunks) : chunks;
}

/**
 * Frees a chunk's memory now by detaching its buffer. Each chunk of a request body has a
 * buffer of its own (Bun's byte stream hands each read a fresh one), so no other chunk loses
 * its bytes. A buffer that cannot be detached is left to the collector.
 */
function release(chunk: Uint8Array): void {
  const buffer = chunk.buffer;
  if (!(buffer instanceof ArrayBuffer) || buffer.detached || wasTaken(buffer)) return;
  try {
    buffer.transfer(0);
  } catch {
    // Not detachable (a buffer a host holds on to): the collector frees it later.
  }
}

async function* guardAgainstStalls(
  stream: ReadableStream<Uint8Array>,
  stallMs: number,
  valve: MemoryValve | undefined,
  lend: boolean,
): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  valve?.bodyOpened();
  let windowStart = Date.now();
  let windowBytes = 0;
  let stalled = false;
  const watchdog = setInterval(
    () => {
      if (Date.now() - windowStart < stallMs) return;
      if (windowBytes >= MIN_BYTES_PER_STALL_WINDOW) {
        windowStart = Date.now();
        windowBytes = 0;
        return;
      }
      stalled = true;
      reader.cancel().catch(() => {});
    },
    Math.max(100, Math.min(1000, stallMs / 4)),
  );
  try {
    for (;;) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch {
        // Bun fails the read when the connection closes: the client left, or Bun's own idle
        // timeout cut a body that came too slowly. Nobody may be listening for the answer.
        throw new RegistryError(
          stalled ? "body-stalled" : "body-incomplete",
          "the connection closed before the request body was complete",
        );
      }
      // A cancelled read ends like a finished body; only the flag tells them apart.
      if (stalled) {
        throw new RegistryError(
          "body-stalled",
          `request body delivered under ${MIN_BYTES_PER_STALL_WINDOW} bytes in ${stallMs} ms`,
        );
      }
      if (next.done) return;
      windowBytes += next.value.length;
      valve?.bodyBytesRead(next.value.length);
      yield next.value;
      if (lend) release(next.value);
    }
  } finally {
    valve?.bodyClosed();
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

/**
 * The body of a hashing thread: it keeps the running sha256 states of uploads and feeds them
 * the bytes the main thread has just written, so hashing an upload (about 0.6 s of CPU per
 * GiB) runs beside the thread that reads requests instead of on it. It also starts the
 * disk writing those bytes (start-writeback.ts), a call too slow for that thread.
 */
import { hashFile } from "./hash-file.ts";
import type { HashReply, HashRequest } from "./hash-protocol.ts";
import { loadStartWriteback } from "./start-writeback.ts";

declare const self: Worker;

const states = new Map<number, Bun.CryptoHasher>();
const startWriteback = loadStartWriteback();

self.onmessage = async (event: MessageEvent<HashRequest>) => {
  const request = event.data;
  switch (request.kind) {
    case "start":
      states.set(request.key, new Bun.CryptoHasher("sha256"));
      return;
    case "forget":
      states.delete(request.key);
      return;
    case "take":
      return answer(request.ticket, () => {
        const state = stateOf(request.key);
        for (const buffer of request.buffers) {
          state.update(new Uint8Array(buffer));
          // Freed now rather than at this thread's next collection, which may be far off.
          buffer.transfer(0);
        }
        // A refused request (say, a file system without writeback) leaves it to the fsync.
        if (request.writeback) startWriteback?.(request.writeback);
      });
    case "digest":
      return answer(request.ticket, () => ({ hex: stateOf(request.key).copy().digest("hex") }));
    case "resume":
      return answer(request.ticket, async () => {
        states.set(request.key, await hashFile(request.path, "sha256", request.length));
      });
  }
};

function stateOf(key: number): Bun.CryptoHasher {
  const state = states.get(key);
  if (!state) throw new Error(`no running hash under key ${key}`);
  return state;
}

async function answer(ticket: number, work: () => unknown): Promise<void> {
  let reply: HashReply;
  try {
    const result = await work();
    reply = { ticket, ...(result as { hex?: string } | undefined) };
  } catch (error) {
    reply = { ticket, error: error instanceof Error ? error.message : String(error) };
  }
  postMessage(reply);
}

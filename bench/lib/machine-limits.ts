import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHUNK_BYTES, chunkOf } from "./blob-data.ts";
import { recycleMemory } from "./recycled-memory.ts";
import { secondsSince } from "./stats.ts";
import { writeWithFsync } from "./synced-write.ts";

/** What this machine can do at most, measured in the same run as the servers. */
export interface MachineLimits {
  sha256MiBps: number;
  writeFsyncMiBps: number;
  readBackMiBps: number;
  hashWriteFsyncMiBps: number;
  trivialReceiveMiBps: number;
  trivialServeMiBps: number;
}

/**
 * The ceilings a registry cannot beat here: hashing, writing with fsync on the filesystem the
 * servers store to, reading back, and a Bun server that does nothing but move bytes.
 */
export async function measureMachineLimits(mib: number): Promise<MachineLimits> {
  const chunks = Array.from({ length: 16 }, (_, i) => chunkOf(9, i));
  const chunk = (i: number) => chunks[i % chunks.length] as Uint8Array;

  let started = performance.now();
  const hasher = new Bun.CryptoHasher("sha256");
  for (let i = 0; i < mib; i++) hasher.update(chunk(i));
  hasher.digest("hex");
  const sha256MiBps = mib / secondsSince(started);

  const folder = mkdtempSync(join(tmpdir(), "bench-limits-"));
  const path = join(folder, "blob");
  try {
    const { writeFsyncMiBps, hashWriteFsyncMiBps } = diskLimitsAt(path, mib, chunk);

    started = performance.now();
    let read = 0;
    for await (const part of Bun.file(path).stream()) read += part.length;
    const readBackMiBps = read / CHUNK_BYTES / secondsSince(started);

    const trivial = await trivialServer(path, mib, chunk);
    return { sha256MiBps, writeFsyncMiBps, readBackMiBps, hashWriteFsyncMiBps, ...trivial };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The two disk limits alone. */
export type DiskLimits = Pick<MachineLimits, "writeFsyncMiBps" | "hashWriteFsyncMiBps">;

/**
 * Writing `mib` MiB with fsync, without and with hashing, on the filesystem the servers use.
 * This disk's speed drifts by a factor of two within minutes (other machines share it), so
 * the comparison measures it again after every round of the blob pushes it is set against.
 */
export function measureDiskLimits(mib: number): DiskLimits {
  const folder = mkdtempSync(join(tmpdir(), "bench-limits-"));
  try {
    return diskLimitsAt(join(folder, "blob"), mib, (i) => chunkOf(9, i % 16));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Leaves the file written with hashing in place at `path`. */
function diskLimitsAt(path: string, mib: number, chunk: (i: number) => Uint8Array): DiskLimits {
  recycleMemory(mib);
  let started = performance.now();
  writeWithFsync(path, mib, chunk, false);
  const writeFsyncMiBps = mib / secondsSince(started);

  rmSync(path);
  recycleMemory(mib);
  started = performance.now();
  writeWithFsync(path, mib, chunk, true);
  const hashWriteFsyncMiBps = mib / secondsSince(started);
  return { writeFsyncMiBps, hashWriteFsyncMiBps };
}

/** A Bun server that only counts what it receives and sends a file back. */
async function trivialServer(path: string, mib: number, chunk: (i: number) => Uint8Array) {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    async fetch(request) {
      if (request.method === "PUT") {
        let bytes = 0;
        for await (const part of request.body ?? []) bytes += part.length;
        return new Response(String(bytes));
      }
      return new Response(Bun.file(path));
    },
  });
  try {
    const url = `http://127.0.0.1:${server.port}/`;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === mib) return controller.close();
        controller.enqueue(chunk(sent++));
      },
    });
    let started = performance.now();
    await (await fetch(url, { method: "PUT", body })).text();
    const trivialReceiveMiBps = mib / secondsSince(started);

    started = performance.now();
    let bytes = 0;
    for await (const part of (await fetch(url)).body ?? []) bytes += part.length;
    const trivialServeMiBps = bytes / CHUNK_BYTES / secondsSince(started);
    return { trivialReceiveMiBps, trivialServeMiBps };
  } finally {
    server.stop(true);
  }
}

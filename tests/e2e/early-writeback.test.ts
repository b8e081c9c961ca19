/**
 * The compiled binary starts the disk writing an upload while its body still arrives
 * (src/storage/start-writeback.ts): watched with strace, a 24 MiB push makes its hashing
 * thread call sync_file_range on the upload file in 8 MiB ranges, in order, and the kernel
 * takes each. This is what a build where bun:ffi or the C library's symbol failed to load in
 * the worker would silently lose.
 */
import { afterAll, expect, test } from "bun:test";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "../helpers/oci-client.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";
import { requireBinary, startMcr } from "./mcr-process.ts";

const MIB = 1024 * 1024;
const folder = makeTempFolder();
afterAll(() => removeFolder(folder));

test("a pushed body is handed to sync_file_range in 8 MiB ranges while it arrives", async () => {
  const trace = join(folder, "strace.out");
  const wrapper = join(folder, "mcr-under-strace");
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec strace -f -qq -e trace=sync_file_range -o ${trace} ${requireBinary()} "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  const mcr = await startMcr(["--listen", "127.0.0.1:0"], {
    cwd: folder,
    binary: wrapper,
    env: { MCR_AUTH_PROVIDER: "none" },
  });
  try {
    const body = new Uint8Array(24 * MIB);
    for (let i = 0; i < body.length; i += 4096) body[i] = (i / 4096) % 251;
    const opened = await fetch(`${mcr.url}/v2/trace/me/blobs/uploads/`, { method: "POST" });
    expect(opened.status).toBe(202);
    const location = new URL(opened.headers.get("location") ?? "", mcr.url);
    location.searchParams.set("digest", sha256(body));
    const put = await fetch(location, { method: "PUT", body });
    expect(put.status).toBe(201);
  } finally {
    // A signal to strace would only detach it, leaving the server running: stop the server,
    // strace's one child, and strace ends with it.
    const children = `/proc/${mcr.process.pid}/task/${mcr.process.pid}/children`;
    for (const pid of readFileSync(children, "utf8").trim().split(" ").filter(Boolean)) {
      process.kill(Number(pid), "SIGKILL");
    }
    await mcr.process.exited;
  }

  const calls = [
    ...readFileSync(trace, "utf8").matchAll(
      /sync_file_range\((\d+), (\d+), (\d+), ([A-Z_]+)\) = (-?\d+)/g,
    ),
  ];
  // Two or three: the ranges end where the hashing thread's batches do, just past 8 MiB.
  expect(calls.length).toBeGreaterThanOrEqual(2);
  let next = 0;
  for (const [, , offset, length, flags, result] of calls) {
    expect(Number(offset)).toBe(next);
    expect(Number(length)).toBeGreaterThanOrEqual(8 * MIB);
    expect(flags).toBe("SYNC_FILE_RANGE_WRITE");
    expect(result).toBe("0");
    next += Number(length);
  }
  expect(next).toBeLessThanOrEqual(24 * MIB);
}, 30_000);

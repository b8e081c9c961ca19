import { afterEach, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { LOCK_FILE } from "../../src/storage/data-folder-lock.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";
import { runMcr, startMcr } from "./mcr-process.ts";

/** Two servers must never share a port or a data folder; a dead one's lock is no obstacle. */

const OPEN = { MCR_AUTH_PROVIDER: "none" };
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempFolder(): string {
  const folder = makeTempFolder("mcr-exclusive-");
  cleanups.push(() => removeFolder(folder));
  return folder;
}

async function serve(cwd: string, dataDir: string) {
  const mcr = await startMcr(["--listen", "127.0.0.1:0", "--data-dir", dataDir], {
    cwd,
    env: OPEN,
  });
  cleanups.push(() => mcr.stop("SIGKILL"));
  return mcr;
}

test("a second server on a port in use fails to start instead of sharing it", async () => {
  const cwd = tempFolder();
  const first = await serve(cwd, join(cwd, "one"));
  const listen = new URL(first.url).host;
  const second = await runMcr(
    ["serve", "--listen", listen, "--rpc-listen", "127.0.0.1:0", "--data-dir", join(cwd, "two")],
    { cwd, env: OPEN },
  );
  expect(second.code).toBe(1);
  expect(second.stderr).toContain("in use");
  // Every request still reaches the first.
  for (let i = 0; i < 5; i++) expect((await fetch(`${first.url}/v2/`)).status).toBe(200);
});

test("an RPC port in use is named as the admin RPC listener's", async () => {
  const cwd = tempFolder();
  const blocker = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  cleanups.push(() => blocker.stop(true));
  const taken = `127.0.0.1:${blocker.port}`;
  const second = await runMcr(
    ["serve", "--listen", "127.0.0.1:0", "--rpc-listen", taken, "--data-dir", join(cwd, "d")],
    { cwd, env: OPEN },
  );
  expect(second.code).toBe(1);
  expect(second.stderr).toContain(`admin RPC listener ${taken} is in use`);
});

test("a second server on a data folder in use refuses, naming the first one's pid", async () => {
  const cwd = tempFolder();
  const dataDir = join(cwd, "data");
  const first = await serve(cwd, dataDir);
  const second = await runMcr(
    ["serve", "--listen", "127.0.0.1:0", "--rpc-listen", "127.0.0.1:0", "--data-dir", dataDir],
    { cwd, env: OPEN },
  );
  expect(second.code).toBe(1);
  expect(second.stderr).toContain(`in use by another mcr serve (pid ${first.process.pid})`);
  expect((await fetch(`${first.url}/v2/`)).status).toBe(200);
});

test("a lock left by a process that no longer runs is taken over; a clean stop releases it", async () => {
  const cwd = tempFolder();
  const dataDir = join(cwd, "data");
  // Start once so the folder exists, then leave a lock as a killed server would.
  const first = await serve(cwd, dataDir);
  expect(await first.stop("SIGTERM")).toBe(0);
  expect(await Bun.file(join(dataDir, LOCK_FILE)).exists()).toBe(false);
  const dead = Bun.spawnSync(["true"]).pid;
  writeFileSync(join(dataDir, LOCK_FILE), `${dead}\n`);
  const second = await serve(cwd, dataDir);
  expect((await fetch(`${second.url}/v2/`)).status).toBe(200);
  const [owner] = (await Bun.file(join(dataDir, LOCK_FILE)).text()).trim().split(" ");
  expect(owner).toBe(String(second.process.pid));
});

import { afterEach, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LOCK_FILE, lockDataFolder, runningOwner } from "../../src/storage/data-folder-lock.ts";
import { processStartTime } from "../../src/storage/process-identity.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

/**
 * The data folder's lock against pid reuse: a live process that is not the one that wrote
 * the lock (a pid handed out again, after a reboot most of all) must not keep the folder.
 */

const cleanups: Array<() => unknown> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function folderWithSleeper() {
  const dataDir = makeTempFolder("mcr-lock-");
  cleanups.push(() => removeFolder(dataDir));
  const sleeper = Bun.spawn(["sleep", "30"]);
  cleanups.push(() => sleeper.kill("SIGKILL"));
  return { dataDir, sleeper };
}

test("a lock naming a live process that started at another moment is stale and taken over", () => {
  const { dataDir, sleeper } = folderWithSleeper();
  const startTime = processStartTime(sleeper.pid);
  expect(startTime).not.toBeNull();
  // As after a reboot: the pid the killed server recorded now belongs to a `sleep`.
  writeFileSync(join(dataDir, LOCK_FILE), `${sleeper.pid} ${Number(startTime) + 1}\n`);

  expect(runningOwner(dataDir)).toBeNull();
  const release = lockDataFolder(dataDir);
  const [pid, recordedStart] = readFileSync(join(dataDir, LOCK_FILE), "utf8").trim().split(" ");
  expect(Number(pid)).toBe(process.pid);
  expect(recordedStart).toBe(processStartTime(process.pid) ?? "");
  release();
});

test("a lock naming a live process by its own pid and start time holds the folder", () => {
  const { dataDir, sleeper } = folderWithSleeper();
  writeFileSync(join(dataDir, LOCK_FILE), `${sleeper.pid} ${processStartTime(sleeper.pid)}\n`);

  expect(runningOwner(dataDir)).toBe(sleeper.pid);
  expect(() => lockDataFolder(dataDir)).toThrow(`in use by another mcr serve (pid ${sleeper.pid})`);
});

test("a lock with a pid alone (written by an older mcr) holds the folder while mcr serve runs as it", async () => {
  const { dataDir } = folderWithSleeper();
  // A process whose arguments say serve, as an older `mcr serve` would show.
  const server = Bun.spawn(["sh", "-c", "sleep 30; true", "mcr", "serve"]);
  cleanups.push(() => server.kill("SIGKILL"));
  // Until the child has exec'd, its arguments are still this process's.
  for (
    let i = 0;
    i < 100 && !readFileSync(`/proc/${server.pid}/cmdline`, "utf8").includes("serve");
    i++
  ) {
    await Bun.sleep(10);
  }
  writeFileSync(join(dataDir, LOCK_FILE), `${server.pid}\n`);
  expect(runningOwner(dataDir)).toBe(server.pid);
});

test("a lock with a pid alone that now names some other program is stale and taken over", () => {
  const { dataDir, sleeper } = folderWithSleeper();
  writeFileSync(join(dataDir, LOCK_FILE), `${sleeper.pid}\n`);
  expect(runningOwner(dataDir)).toBeNull();
  lockDataFolder(dataDir)();
});

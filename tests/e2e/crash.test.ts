import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LOCK_FILE } from "../../src/storage/data-folder-lock.ts";
import { sha256 } from "../helpers/oci-client.ts";
import { SeededRandom } from "../helpers/seeded-random.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";
import {
  type Acknowledged,
  collectUntilStopped,
  type LoadControl,
  pullUntilStopped,
  pushUntilStopped,
  snapshotUntilStopped,
} from "./crash-load.ts";
import { runMcr, startMcr } from "./mcr-process.ts";

/**
 * Crash test: `mcr serve` is killed with SIGKILL at a random moment while clients push
 * (monolithic, two-step and chunked uploads, manifests and indexes), a client pulls, and
 * garbage collection and snapshots run; it is then restarted on the same data folder, round after round. After every
 * kill, `mcr fsck` must find nothing worse than leftovers that --repair removes, and after
 * every restart each manifest that was answered 201 must pull with matching digests, its
 * blobs too.
 *
 * MCR_CRASH_ROUNDS sets the number of rounds (8 by default, about 10 s); MCR_CRASH_SEED
 * replays a run (the seed is printed; the moments of the kills follow it, the interleaving
 * of requests cannot).
 */

const ROUNDS = Number(process.env.MCR_CRASH_ROUNDS ?? 8);
const SEED = Number(process.env.MCR_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CLIENTS = 4;

const folder = makeTempFolder("mcr-crash-");
const dataDir = join(folder, "data");
afterAll(() => removeFolder(folder));

const acknowledged: Acknowledged = { manifests: [], blobs: new Map() };
/** Blobs served during the load whose bytes did not match their digest: must stay empty. */
const wrong: string[] = [];
/** How often each kind of leftover was found after a kill, for the closing line. */
const leftovers = new Map<string, number>();

test(
  `pushes acknowledged before a kill -9 survive it, and fsck finds no damage (seed ${SEED})`,
  async () => {
    console.log(`crash test: seed ${SEED}, ${ROUNDS} rounds (replay with MCR_CRASH_SEED=${SEED})`);
    const random = new SeededRandom(SEED);
    const sharedLayers = Array.from({ length: 3 }, () => random.bytes(random.int(1, 64 * 1024)));
    let repairs = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const gracePeriod = random.chance(0.5) ? "0s" : "1h";
      const withGc = random.chance(0.6);
      const withSnapshots = random.chance(0.4);
      const killAfterMs = random.int(50, 900);
      const context = `round ${round} (seed ${SEED}, grace ${gracePeriod}, gc ${withGc}, snapshots ${withSnapshots}, kill after ${killAfterMs} ms)`;

      // A lock left by the killed server must not keep the next one from starting.
      const mcr = await startMcr(["--listen", "127.0.0.1:0", "--data-dir", dataDir], {
        cwd: folder,
        env: { MCR_AUTH_PROVIDER: "none", MCR_GC_GRACE_PERIOD: gracePeriod },
      });
      await verifyAcknowledged(mcr.url, context);

      const control: LoadControl = { stopped: false };
      const load = [
        ...Array.from({ length: CLIENTS }, (_, client) =>
          pushUntilStopped(
            mcr.url,
            `crash/c${client}`,
            `r${round}`,
            new SeededRandom(SEED + round * 100 + client),
            sharedLayers,
            acknowledged,
            control,
          ),
        ),
        pullUntilStopped(mcr.url, new SeededRandom(SEED + round * 7), acknowledged, control, wrong),
        withGc ? collectUntilStopped(mcr.url, new SeededRandom(SEED + round), control) : null,
        withSnapshots
          ? snapshotUntilStopped(mcr.url, new SeededRandom(SEED - round), control)
          : null,
      ];
      await Bun.sleep(killAfterMs);
      mcr.process.kill("SIGKILL");
      await mcr.process.exited;
      control.stopped = true;
      await Promise.all(load);
      expect(wrong, context).toEqual([]);
      const [pid] = readFileSync(join(dataDir, LOCK_FILE), "utf8").trim().split(" ");
      expect(pid, context).toBe(String(mcr.process.pid));

      repairs += await checkAndRepair(context);
    }

    // The last kill's folder, restarted once more.
    const mcr = await startMcr(["--listen", "127.0.0.1:0", "--data-dir", dataDir], {
      cwd: folder,
      env: { MCR_AUTH_PROVIDER: "none" },
    });
    await verifyAcknowledged(mcr.url, `after round ${ROUNDS - 1} (seed ${SEED})`);
    expect(await mcr.stop("SIGTERM")).toBe(0);
    expect((await runMcr(["fsck", "--data-dir", dataDir], { cwd: folder })).code).toBe(0);
    console.log(
      `crash test: ${acknowledged.manifests.length} manifests acknowledged and verified, ` +
        `${repairs} rounds needed --repair; leftovers: ${JSON.stringify(Object.fromEntries(leftovers))}`,
    );
    expect(acknowledged.manifests.length).toBeGreaterThan(0);
  },
  { timeout: Math.max(60_000, ROUNDS * 15_000) },
);

/**
 * Runs `mcr fsck` on the killed server's folder: only repairable leftovers are allowed, and
 * when there are some, --repair must remove them all and a second check must be clean.
 * Returns 1 when a repair was needed.
 */
async function checkAndRepair(context: string): Promise<number> {
  const first = await runMcr(["fsck", "--json", "--data-dir", dataDir], { cwd: folder });
  const report = JSON.parse(first.stdout) as {
    serve_pid: number | null;
    problems: Array<{ kind: string; severity: string; subject: string; message: string }>;
  };
  // The killed server's lock is stale: fsck must not take it for a running server.
  expect(report.serve_pid, context).toBeNull();
  const damage = report.problems.filter((found) => found.severity !== "leftover");
  expect(damage, `${context}: ${first.stdout}`).toEqual([]);
  for (const found of report.problems)
    leftovers.set(found.kind, (leftovers.get(found.kind) ?? 0) + 1);
  if (report.problems.length === 0) {
    expect(first.code, context).toBe(0);
    return 0;
  }
  expect(first.code, context).toBe(1);

  const repaired = await runMcr(["fsck", "--repair", "--data-dir", dataDir], { cwd: folder });
  expect(repaired.code, `${context}: ${repaired.output}`).toBe(0);
  const again = await runMcr(["fsck", "--data-dir", dataDir], { cwd: folder });
  expect(again.code, `${context}: ${again.output}`).toBe(0);
  return 1;
}

/**
 * Every acknowledged manifest pulls by tag and by digest with the bytes that were pushed,
 * and every blob it names hashes to its digest. Acknowledged blobs no manifest names may
 * have been collected (404), but if served, their bytes must match too.
 */
async function verifyAcknowledged(url: string, context: string): Promise<void> {
  const named = new Set<string>();
  // Tags are unique per push (a client never reuses one), so the tag must still name it.
  for (const manifest of acknowledged.manifests) {
    for (const reference of [manifest.tag, manifest.digest]) {
      const response = await fetch(`${url}/v2/${manifest.repository}/manifests/${reference}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect(response.status, `${context}: ${manifest.repository}:${reference}`).toBe(200);
      expect(sha256(bytes), context).toBe(manifest.digest);
    }
    for (const digest of manifest.blobs) named.add(`${manifest.repository}@${digest}`);
  }
  for (const [repository, digests] of acknowledged.blobs) {
    for (const digest of digests) {
      const response = await fetch(`${url}/v2/${repository}/blobs/${digest}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (response.status === 404 && !named.has(`${repository}@${digest}`)) continue;
      expect(response.status, `${context}: ${repository}@${digest}`).toBe(200);
      expect(sha256(bytes), `${context}: bytes served for ${digest}`).toBe(digest);
    }
  }
}

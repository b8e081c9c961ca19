import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runCommand } from "../helpers/run-command.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";
import { type McrProcess, startMcr } from "./mcr-process.ts";

/**
 * The shared real-client harness: skopeo, podman, docker and curl push and pull real images
 * through the compiled binary. It lives beside the repository, in ../shared/realworld.
 */
const REALWORLD =
  process.env.MCR_REALWORLD_DIR ?? resolve(import.meta.dir, "../../../shared/realworld");
/** Images and client state persist here between runs: building the images takes a minute. */
const RT_HOME = process.env.MCR_REALWORLD_HOME ?? "/tmp/mcr-realworld";

let workDir: string;
let registry: McrProcess;
let startedDockerd = false;

function sh(command: string[], env: Record<string, string> = {}) {
  return runCommand(command, { env: { ...process.env, RT_HOME, ...env } });
}

beforeAll(async () => {
  if (!existsSync(`${REALWORLD}/roundtrip.sh`)) {
    throw new Error(`no real-client harness at ${REALWORLD} (set MCR_REALWORLD_DIR)`);
  }
  mkdirSync(RT_HOME, { recursive: true });
  if (!existsSync(`${RT_HOME}/images/DIGESTS.txt`)) {
    const made = await sh([`${REALWORLD}/make-images.sh`, `${RT_HOME}/images`]);
    if (made.code !== 0) throw new Error(`make-images.sh failed:\n${made.stderr}`);
  }
  // docker is one of the clients when an engine can be started here.
  if (Bun.which("dockerd")) {
    const before = await sh([`${REALWORLD}/services.sh`, "status", "dockerd"]);
    if (!before.stdout.includes("running")) {
      const started = await sh([`${REALWORLD}/services.sh`, "start", "dockerd"]);
      startedDockerd = started.code === 0;
    }
  }
  workDir = makeTempFolder("mcr-e2e-realworld-");
  registry = await startMcr(["--listen", "127.0.0.1:0"], { cwd: workDir });
}, 600_000);

afterAll(async () => {
  await registry?.stop();
  if (startedDockerd) await sh([`${REALWORLD}/services.sh`, "stop", "dockerd"]);
  if (workDir) removeFolder(workDir);
}, 60_000);

test("skopeo, podman, docker and curl round-trip real images through dist/mcr", async () => {
  const hostPort = registry.url.replace(/^https?:\/\//, "");
  // With the local provider's generated admin: every client logs in first.
  const password = readFileSync(join(workDir, "data", "admin-password"), "utf8").trim();
  const run = await sh([`${REALWORLD}/roundtrip.sh`, hostPort, `${RT_HOME}/images`], {
    CREDS: `admin:${password}`,
  });
  const output = run.stdout + run.stderr;
  const failures = output.split("\n").filter((line) => line.startsWith("FAIL"));
  expect(failures).toEqual([]);
  expect(output).toMatch(/roundtrip: \d+ passed, 0 failed/);
  // Every client ran: a skip means a client or an API feature went unchecked.
  const skipped = output.split("\n").filter((line) => line.startsWith("SKIP"));
  if (Bun.which("dockerd")) expect(skipped).toEqual([]);
  expect(run.code).toBe(0);
}, 1_200_000);

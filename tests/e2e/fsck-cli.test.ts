import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pushImage } from "../helpers/oci-client.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";
import { runMcr, startMcr } from "./mcr-process.ts";

/** `mcr fsck` as an operator runs it: exit codes, both output forms, and a running server. */

const OPEN = { MCR_AUTH_PROVIDER: "none" };
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A data folder with one pushed image, and the server that pushed it still running. */
async function servedFolder() {
  const cwd = makeTempFolder("mcr-fsck-cli-");
  cleanups.push(() => removeFolder(cwd));
  const dataDir = join(cwd, "data");
  const mcr = await startMcr(["--listen", "127.0.0.1:0", "--data-dir", dataDir], {
    cwd,
    env: OPEN,
  });
  cleanups.push(() => mcr.stop("SIGKILL"));
  const image = await pushImage(mcr.url, "cli/app", "v1");
  return { cwd, dataDir, mcr, image };
}

test("a check beside a running server reads only, names the server, and --repair is refused", async () => {
  const { cwd, dataDir, mcr } = await servedFolder();
  const check = await runMcr(["fsck", "--data-dir", dataDir], { cwd });
  expect(check.code).toBe(0);
  expect(check.stdout).toContain("2 blobs");
  expect(check.stdout).toContain("no problems found");
  expect(check.stderr).toContain(`mcr serve (pid ${mcr.process.pid}) is running`);

  const repair = await runMcr(["fsck", "--repair", "--data-dir", dataDir], { cwd });
  expect(repair.code).toBe(2);
  expect(repair.stderr).toContain("--repair needs the data folder to itself");
  // The server kept its folder and still answers.
  expect((await fetch(`${mcr.url}/v2/`)).status).toBe(200);
});

test("problems give exit 1 with one line each, and --json has the same facts", async () => {
  const { cwd, dataDir, mcr, image } = await servedFolder();
  expect(await mcr.stop("SIGTERM")).toBe(0);
  const hex = image.layerDigest.slice("sha256:".length);
  rmSync(join(dataDir, "blobs", "sha256", hex.slice(0, 2), hex));

  const text = await runMcr(["fsck", "--data-dir", dataDir], { cwd });
  expect(text.code).toBe(1);
  const problemLines = text.stdout.split("\n").filter((line) => line.startsWith("damage"));
  expect(problemLines).toEqual([
    `damage    blob-file-missing  ${image.layerDigest}  blob of ${`layer of cli/app:v1`.length} bytes has no file`,
  ]);
  expect(text.stdout).toContain("1 problem: 1 damage");

  const json = await runMcr(["fsck", "--json", "--data-dir", dataDir], { cwd });
  expect(json.code).toBe(1);
  const report = JSON.parse(json.stdout);
  expect(report).toMatchObject({
    clean: false,
    serve_pid: null,
    counts: { blobs: 2, manifests: 1, tags: 1 },
    problems: [{ kind: "blob-file-missing", severity: "damage", subject: image.layerDigest }],
    repairs: null,
  });

  // Nothing --repair may do: the problem stays, and so does exit 1.
  const repair = await runMcr(["fsck", "--repair", "--data-dir", dataDir], { cwd });
  expect(repair.code).toBe(1);
  expect(repair.stdout).toContain("after repair: 1 problem: 1 damage");
});

test("usage problems exit 2: an unknown flag, a missing data folder", async () => {
  const cwd = makeTempFolder("mcr-fsck-cli-");
  cleanups.push(() => removeFolder(cwd));
  const unknown = await runMcr(["fsck", "--data_dir", cwd], { cwd });
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("unknown option --data_dir");
  const missing = await runMcr(["fsck", "--data-dir", join(cwd, "nowhere")], { cwd });
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain(`there is no data folder at ${join(cwd, "nowhere")}`);
  const empty = await runMcr(["fsck", "--data-dir", cwd], { cwd });
  expect(empty.code).toBe(2);
  expect(empty.stderr).toContain("there is no database");
});

test("--repair on a database that is not MCR's exits 2 with one line and leaves no lock", async () => {
  const cwd = makeTempFolder("mcr-fsck-cli-");
  cleanups.push(() => removeFolder(cwd));
  const dataDir = join(cwd, "data");
  mkdirSync(dataDir);
  writeFileSync(join(dataDir, "mcr.db"), crypto.getRandomValues(new Uint8Array(4096)));

  const repair = await runMcr(["fsck", "--repair", "--data-dir", dataDir], { cwd });
  expect(repair.code).toBe(2);
  expect(repair.stderr).toBe(
    `mcr fsck: ${join(dataDir, "mcr.db")} is not an MCR database (file is not a database)\n`,
  );
  expect(existsSync(join(dataDir, "serve.lock"))).toBe(false);
  expect(existsSync(join(dataDir, "blobs"))).toBe(false);
});

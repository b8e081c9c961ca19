import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AuditLog } from "../../src/audit/audit-log.ts";
import { AccountService } from "../../src/auth/account-service.ts";
import { ensureFirstAdmin } from "../../src/auth/bootstrap.ts";
import { TokenStore } from "../../src/auth/token-store.ts";
import { openDatabase } from "../../src/db/database.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { PolicyService } from "../../src/policy/policy-service.ts";
import { basic, readAdminPassword, ruleInput } from "../helpers/auth.ts";
import { runCommand } from "../helpers/run-command.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";
import { type McrProcess, requireBinary, startMcr } from "./mcr-process.ts";

/**
 * Access control seen by real clients: skopeo and podman against the compiled binary, on a
 * data folder prepared beforehand with a CI robot allowed to push only to ci/**.
 */
let workDir: string;
let dataDir: string;
let layout: string;
let clientEnv: Record<string, string>;
let robotToken: string;
let registry: McrProcess;
let host: string;

/** Creates the database with the first admin, a system account, its API token and a rule. */
async function prepareDataFolder(): Promise<string> {
  mkdirSync(dataDir, { recursive: true });
  const metadata = openDatabase({ path: join(dataDir, "mcr.db"), busyTimeoutMs: 5000 });
  try {
    const audit = new AuditLog(metadata.db, silentLogger);
    const accounts = new AccountService(metadata.db, new TokenStore(metadata.db), audit);
    const policy = await PolicyService.open(metadata.db, audit);
    const actor = { name: "e2e setup", clientAddress: null };

    await ensureFirstAdmin(accounts, dataDir, silentLogger);
    const robot = await accounts.create(
      { username: "ci-robot", accountType: "system", roles: [] },
      actor,
    );
    const issued = await accounts.createApiToken(
      "ci-robot",
      { description: "e2e push token", ttlSeconds: null },
      actor,
    );
    await policy.create(
      ruleInput({
        subjects: [robot.id],
        actions: ["registry:push", "registry:pull"],
        repositories: ["ci/**"],
        description: "the CI robot pushes to ci/",
      }),
      actor,
    );
    return issued.secret;
  } finally {
    await metadata.close();
  }
}

function run(command: string[], env = clientEnv) {
  return runCommand(command, { env });
}

/** `CLIENT login` refuses a wrong admin password and accepts the right one. */
async function expectLoginRefusedThenAccepted(client: "skopeo" | "podman", password: string) {
  const login = (secret: string) =>
    run([client, "login", "--tls-verify=false", "-u", "admin", "-p", secret, host]);
  expect((await login("nope")).code).not.toBe(0);
  const accepted = await login(password);
  expect({ code: accepted.code, output: accepted.output }).toMatchObject({ code: 0 });
}

/** A one-layer OCI image layout, made with umoci as ../shared/realworld/make-images.sh does. */
async function buildLayout(): Promise<void> {
  const file = join(workDir, "hello.txt");
  writeFileSync(file, `hello from the access e2e test ${crypto.randomUUID()}\n`);
  const image = `${layout}:latest`;
  for (const command of [
    ["umoci", "init", "--layout", layout],
    ["umoci", "new", "--image", image],
    ["umoci", "insert", "--image", image, file, "/hello.txt"],
    ["umoci", "config", "--image", image, "--architecture", "amd64", "--os", "linux"],
    ["umoci", "gc", "--layout", layout],
  ]) {
    const result = await run(command);
    if (result.code !== 0) throw new Error(`${command.join(" ")} failed:\n${result.output}`);
  }
}

/** Client state in the work folder: storage, auth file, temporary files, configuration. */
function isolateClients(): Record<string, string> {
  const client = join(workDir, "client");
  mkdirSync(join(client, "tmp"), { recursive: true });
  writeFileSync(
    join(client, "storage.conf"),
    `[storage]\ndriver = "vfs"\nrunroot = "${client}/run"\ngraphroot = "${client}/storage"\n`,
  );
  writeFileSync(
    join(client, "containers.conf"),
    `[engine]\ntmp_dir = "${client}/libpod"\nevents_logger = "none"\n`,
  );
  // podman refuses an auth file that does not exist.
  writeFileSync(join(client, "auth.json"), '{"auths":{}}');
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: client,
    TMPDIR: join(client, "tmp"),
    REGISTRY_AUTH_FILE: join(client, "auth.json"),
    CONTAINERS_STORAGE_CONF: join(client, "storage.conf"),
    CONTAINERS_CONF: join(client, "containers.conf"),
  };
}

beforeAll(async () => {
  requireBinary();
  workDir = makeTempFolder("mcr-e2e-access-");
  dataDir = join(workDir, "data");
  layout = join(workDir, "layout");
  clientEnv = isolateClients();
  robotToken = await prepareDataFolder();
  await buildLayout();
  registry = await startMcr(["--listen", "127.0.0.1:0"], { cwd: workDir });
  host = registry.url.replace(/^https?:\/\//, "");
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  if (workDir) removeFolder(workDir);
}, 30_000);

const copyTo = (repository: string, credentials: string) =>
  run([
    "skopeo",
    "copy",
    "--dest-creds",
    credentials,
    "--dest-tls-verify=false",
    `oci:${layout}:latest`,
    `docker://${host}/${repository}`,
  ]);

test("the CI robot pushes with skopeo to ci/**", async () => {
  const result = await copyTo("ci/app:1", `ci-robot:${robotToken}`);
  expect({ code: result.code, output: result.output }).toMatchObject({ code: 0 });

  const tags = await fetch(`${registry.url}/v2/ci/app/tags/list`, {
    headers: { Authorization: basic("ci-robot", robotToken) },
  });
  expect(await tags.json()).toEqual({ name: "ci/app", tags: ["1"] });
}, 60_000);

test("the CI robot may not push outside ci/**", async () => {
  const result = await copyTo("other/app:1", `ci-robot:${robotToken}`);
  expect(result.code).not.toBe(0);
  expect(result.output.toLowerCase()).toMatch(/denied/);
}, 60_000);

test("a wrong password fails", async () => {
  const result = await copyTo("ci/app:2", "ci-robot:mcr_not-the-token");
  expect(result.code).not.toBe(0);
  expect(result.output.toLowerCase()).toMatch(/unauthorized|authentication required/);
}, 60_000);

test("skopeo login with the generated admin password, then skopeo inspect", async () => {
  const password = readAdminPassword(dataDir);
  await expectLoginRefusedThenAccepted("skopeo", password);

  const inspect = await run([
    "skopeo",
    "inspect",
    "--tls-verify=false",
    `docker://${host}/ci/app:1`,
  ]);
  expect({ code: inspect.code, output: inspect.stderr }).toMatchObject({ code: 0 });
  const manifest = await fetch(`${registry.url}/v2/ci/app/manifests/1`, {
    method: "HEAD",
    headers: { Authorization: basic("admin", password) },
  });
  expect((JSON.parse(inspect.stdout) as { Digest: string }).Digest).toBe(
    manifest.headers.get("docker-content-digest") ?? "",
  );

  await run(["skopeo", "logout", host]);
  const anonymous = await run([
    "skopeo",
    "inspect",
    "--tls-verify=false",
    `docker://${host}/ci/app:1`,
  ]);
  expect(anonymous.code).not.toBe(0);
}, 60_000);

test("podman login with the generated admin password", async () => {
  const password = readAdminPassword(dataDir);
  await expectLoginRefusedThenAccepted("podman", password);
  const who = await run(["podman", "login", "--get-login", host]);
  expect(who.stdout.trim()).toBe("admin");
}, 60_000);

test("nothing was stored for the refused pushes", async () => {
  const catalog = await fetch(`${registry.url}/v2/_catalog`, {
    headers: { Authorization: basic("admin", readAdminPassword(dataDir)) },
  });
  expect(catalog.status).toBe(200);
  expect(await catalog.json()).toEqual({ repositories: ["ci/app"] });
  const tags = await fetch(`${registry.url}/v2/ci/app/tags/list`, {
    headers: { Authorization: basic("admin", readAdminPassword(dataDir)) },
  });
  expect(await tags.json()).toEqual({ name: "ci/app", tags: ["1"] });
  expect(readdirSync(join(dataDir, "uploads"))).toEqual([]);
}, 10_000);

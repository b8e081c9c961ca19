import { afterEach, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import packageJson from "../../package.json" with { type: "json" };
import { sha256 } from "../helpers/oci-client.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";
import { type McrProcess, runMcr, startMcr } from "./mcr-process.ts";

const FREE_PORT = ["--listen", "127.0.0.1:0"];
/** Server mechanics are tested on an open registry; access has tests of its own. */
const OPEN = { MCR_AUTH_PROVIDER: "none" };
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempFolder(): string {
  const folder = makeTempFolder("mcr-e2e-");
  cleanups.push(() => removeFolder(folder));
  return folder;
}

async function serve(args: string[], cwd: string, env?: Record<string, string>) {
  const mcr = await startMcr(args, { cwd, env });
  cleanups.push(() => mcr.stop("SIGKILL"));
  return mcr;
}

async function openUpload(mcr: McrProcess, name: string): Promise<string> {
  const response = await fetch(`${mcr.url}/v2/${name}/blobs/uploads/`, { method: "POST" });
  expect(response.status).toBe(202);
  return new URL(response.headers.get("location") ?? "", mcr.url).toString();
}

test("mcr --version prints the package version and the commit it was built from", async () => {
  const result = await runMcr(["--version"], { cwd: tempFolder() });
  expect(result.code).toBe(0);
  // The commit is "unknown" only for a build made outside a git checkout.
  const commit = /^(.+) \(commit ([0-9a-f]{7,}|unknown)\)$/.exec(result.stdout.trim());
  expect(commit?.[1]).toBe(packageJson.version);
});

test("with no flags it serves on 127.0.0.1:5000 with data in ./data and a generated admin", async () => {
  const cwd = tempFolder();
  const mcr = await serve([], cwd);
  expect(mcr.url).toBe("http://127.0.0.1:5000");
  expect(existsSync(join(cwd, "data", "mcr.db"))).toBe(true);
  expect(existsSync(join(cwd, "data", "blobs"))).toBe(true);

  const passwordFile = join(cwd, "data", "admin-password");
  expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
  const password = readFileSync(passwordFile, "utf8").trim();
  expect(password.length).toBeGreaterThanOrEqual(16);
  expect(mcr.log()).toContain(passwordFile);

  const anonymous = await fetch("http://127.0.0.1:5000/v2/");
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get("www-authenticate")).toBe(
    'Bearer realm="http://127.0.0.1:5000/v2/token",service="mcr"',
  );
  const wrong = await fetch("http://127.0.0.1:5000/v2/", {
    headers: { Authorization: `Basic ${btoa("admin:not-the-password")}` },
  });
  expect(wrong.status).toBe(401);
  const admin = await fetch("http://127.0.0.1:5000/v2/", {
    headers: { Authorization: `Basic ${btoa(`admin:${password}`)}` },
  });
  expect(admin.status).toBe(200);
  expect(admin.headers.get("docker-distribution-api-version")).toBe("registry/2.0");

  // The admin RPC listener, on its default port, answers Connect JSON over HTTP/1.1.
  const health = await fetch("http://127.0.0.1:9443/mcr.v1.AdminService/Health", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: "{}",
  });
  expect(await health.json()).toEqual({ status: "ok", version: packageJson.version });

  // Neither the password nor any Authorization header reaches the log.
  await Bun.sleep(50);
  expect(mcr.log()).not.toContain(password);
  expect(mcr.log()).not.toContain(btoa(`admin:${password}`));
  expect(mcr.log()).not.toContain("not-the-password");
});

test("a misspelled flag is a usage error that names it, and nothing is created", async () => {
  const cwd = tempFolder();
  for (const role of ["serve", "init", "snapshot", "fsck", "web"]) {
    const result = await runMcr([role, "--data_dir", join(cwd, "x")], { cwd, env: OPEN });
    expect({ role, code: result.code }).toEqual({ role, code: 2 });
    expect(result.stderr).toContain(`mcr ${role}: unknown option --data_dir`);
  }
  expect(existsSync(join(cwd, "data"))).toBe(false);
  expect(existsSync(join(cwd, "x"))).toBe(false);
});

test("a bad configuration is refused with every problem in one message", async () => {
  const cwd = tempFolder();
  writeFileSync(join(cwd, "mcr.toml"), '[server]\nidle_timeout = "10m"\n[nonsense]\nx = 1\n');
  const result = await runMcr(["serve", "--config", "mcr.toml"], {
    cwd,
    env: { MCR_SERVER_LISTEN: "nowhere", MCR_LOG_LEVEL: "loud" },
  });
  expect(result.code).toBe(2);
  for (const fragment of ["server.listen", "log.level", "idle_timeout", "[nonsense]"]) {
    expect(result.stderr).toContain(fragment);
  }
});

test("a TOML file configures it, environment variables override the file", async () => {
  const cwd = tempFolder();
  writeFileSync(
    join(cwd, "mcr.toml"),
    '[server]\nlisten = "127.0.0.1:1"\n[storage]\ndata_dir = "store"\n[log]\nformat = "text"\n',
  );
  const mcr = await serve(["--config", "mcr.toml"], cwd, {
    ...OPEN,
    MCR_SERVER_LISTEN: "127.0.0.1:0",
    MCR_LOG_FORMAT: "json",
  });
  await fetch(`${mcr.url}/v2/`, { headers: { Authorization: "Basic c2VjcmV0OnNlY3JldA==" } });
  await Bun.sleep(50);
  expect(existsSync(join(cwd, "store", "mcr.db"))).toBe(true);

  const lines = mcr
    .log()
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  const request = lines.find((line) => line.msg === "request");
  expect(request).toMatchObject({ method: "GET", path: "/v2/", status: 200, remote: "127.0.0.1" });
  expect(typeof request.request_id).toBe("string");
  expect(typeof request.duration_ms).toBe("number");
  expect(mcr.log()).not.toContain("c2VjcmV0");
});

test("Location headers use server.external_url when one is set", async () => {
  const mcr = await serve(FREE_PORT, tempFolder(), {
    ...OPEN,
    MCR_SERVER_EXTERNAL_URL: "https://registry.example.test/",
  });
  const location = await openUpload(mcr, "proxied/app");
  expect(location).toStartWith("https://registry.example.test/v2/proxied/app/blobs/uploads/");
});

test("an upload survives a crash of the server and completes after restart", async () => {
  const cwd = tempFolder();
  const first = await serve(FREE_PORT, cwd, OPEN);
  const location = await openUpload(first, "crash/test");
  const part1 = new Uint8Array(300_000).fill(1);
  const part2 = new Uint8Array(200_000).fill(2);
  const patched = await fetch(location, { method: "PATCH", body: part1 });
  expect(patched.status).toBe(202);
  await first.stop("SIGKILL");

  const second = await serve(FREE_PORT, cwd, OPEN);
  const path = new URL(location).pathname;
  const status = await fetch(`${second.url}${path}`);
  expect(status.status).toBe(204);
  expect(status.headers.get("range")).toBe(`0-${part1.length - 1}`);

  const more = await fetch(`${second.url}${path}`, {
    method: "PATCH",
    headers: { "Content-Range": `${part1.length}-${part1.length + part2.length - 1}` },
    body: part2,
  });
  expect(more.status).toBe(202);
  const whole = Buffer.concat([part1, part2]);
  const digest = sha256(whole);
  const done = await fetch(`${second.url}${path}?digest=${digest}`, { method: "PUT" });
  expect(done.status).toBe(201);
  const pulled = await fetch(`${second.url}/v2/crash/test/blobs/${digest}`);
  expect(sha256(new Uint8Array(await pulled.arrayBuffer()))).toBe(digest);
});

test("SIGTERM lets a request in flight finish, then exits 0", async () => {
  const mcr = await serve(FREE_PORT, tempFolder(), OPEN);
  const location = await openUpload(mcr, "drain/test");

  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(new Uint8Array(1000).fill(7));
      await gate;
      controller.enqueue(new Uint8Array(1000).fill(8));
      controller.close();
    },
  });
  const patch = fetch(location, { method: "PATCH", body });
  await Bun.sleep(300);
  mcr.process.kill("SIGTERM");
  await Bun.sleep(300);
  expect(mcr.process.exitCode).toBeNull();
  release();

  const response = await patch;
  expect(response.status).toBe(202);
  expect(response.headers.get("range")).toBe("0-1999");
  expect(await mcr.stop()).toBe(0);
  expect(mcr.log()).toContain("shutting down");
});

test("with TLS on it speaks TLS 1.3 and refuses TLS 1.2", async () => {
  const cwd = tempFolder();
  const openssl = Bun.spawnSync(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      "key.pem",
      "-out",
      "cert.pem",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { cwd, stderr: "pipe" },
  );
  expect(openssl.exitCode).toBe(0);
  const mcr = await serve(FREE_PORT, cwd, {
    ...OPEN,
    MCR_SERVER_TLS_CERT: join(cwd, "cert.pem"),
    MCR_SERVER_TLS_KEY: join(cwd, "key.pem"),
  });
  expect(mcr.url).toStartWith("https://");

  const curl = (...flags: string[]) =>
    Bun.spawnSync(
      ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", ...flags, `${mcr.url}/v2/`],
      {
        stdout: "pipe",
      },
    );
  const tls13 = curl("--cacert", join(cwd, "cert.pem"), "--tlsv1.3");
  expect(tls13.stdout.toString()).toBe("200");
  const tls12 = curl("--cacert", join(cwd, "cert.pem"), "--tls-max", "1.2");
  expect(tls12.exitCode).not.toBe(0);
});

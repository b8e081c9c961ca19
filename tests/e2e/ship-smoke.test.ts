import { afterAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import packageJson from "../../package.json" with { type: "json" };
import { buildMultiArchImage, writeOciLayout } from "../helpers/multi-arch-image.ts";
import { runCommand } from "../helpers/run-command.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";
import { type McrProcess, requireBinary, runMcr, startMcr } from "./mcr-process.ts";
import { type McrWebProcess, startMcrWeb } from "./mcr-web-process.ts";

/**
 * The shipped path end to end, as an operator takes it: the compiled binary copied alone
 * into a folder outside the repository (no node_modules, no source), `mcr init` with a
 * self-signed certificate, `mcr serve` and `mcr web` over TLS, a push and a pull with
 * skopeo, `mcr ctl status`, the health probe and a snapshot.
 */
const PASSWORD = "correct horse battery staple";
const host = makeTempFolder("mcr-ship-smoke-");
const binary = join(host, "bin", "mcr");
const config = join(host, "etc", "mcr.toml");
const certificate = join(host, "srv", "tls", "cert.pem");
/** Clients get a home of their own, so no login of theirs lands in the real one. */
const clientEnv = { HOME: host, XDG_CONFIG_HOME: join(host, "config") };

let registry: McrProcess | undefined;
let web: McrWebProcess | undefined;
afterAll(async () => {
  await web?.stop();
  await registry?.stop();
  removeFolder(host);
});

const mcr = (args: string[], env: Record<string, string> = {}) =>
  runMcr(args, { cwd: host, binary, env: { ...clientEnv, ...env } });

test("init, serve, web, push, pull, ctl status from a lone copy of the binary", async () => {
  mkdirSync(join(host, "bin"));
  copyFileSync(requireBinary(), binary);
  expect((await mcr(["--version"])).stdout).toStartWith(`${packageJson.version} (commit `);

  const init = await mcr(
    [
      "init",
      "--config",
      config,
      "--data-dir",
      "srv",
      "--tls-self-signed",
      "--tls-hosts",
      "127.0.0.1",
    ],
    { MCR_ADMIN_PASSWORD: PASSWORD },
  );
  expect({ code: init.code, stderr: init.stderr }).toMatchObject({ code: 0 });

  registry = await startMcr(["--config", config, "--listen", "127.0.0.1:0"], {
    cwd: host,
    binary,
  });
  expect(registry.url).toStartWith("https://127.0.0.1:");
  const rpc = /admin RPC listening.*?address"?[=:]"?([^\s"]+)/.exec(registry.log())?.[1];
  web = await startMcrWeb(
    ["--listen", "127.0.0.1:0", "--api", `https://${rpc}`, "--api-ca", certificate],
    binary,
  );
  expect((await fetch(`${web.url}/login`)).status).toBe(200);

  // Push the multi-arch image with skopeo, then pull it back: the same index digest.
  const image = buildMultiArchImage("ship-smoke");
  writeOciLayout(join(host, "layout"), "latest", image);
  const registryHost = registry.url.replace("https://", "");
  const skopeo = (args: string[]) =>
    runCommand(["skopeo", ...args], { env: { ...process.env, ...clientEnv } });
  const push = await skopeo([
    "copy",
    "--all",
    "--preserve-digests",
    "--dest-tls-verify=false",
    "--dest-creds",
    `admin:${PASSWORD}`,
    `oci:${join(host, "layout")}:latest`,
    `docker://${registryHost}/smoke/app:1`,
  ]);
  expect({ code: push.code, output: push.output }).toMatchObject({ code: 0 });
  const pull = await skopeo([
    "copy",
    "--all",
    "--preserve-digests",
    "--src-tls-verify=false",
    "--src-creds",
    `admin:${PASSWORD}`,
    `docker://${registryHost}/smoke/app:1`,
    `oci:${join(host, "pulled")}:1`,
  ]);
  expect({ code: pull.code, output: pull.output }).toMatchObject({ code: 0 });
  const pulled = JSON.parse(readFileSync(join(host, "pulled", "index.json"), "utf8"));
  expect(pulled.manifests[0].digest).toBe(image.index.digest);

  // The operator's view: a session, then ctl status over REST with the certificate trusted.
  const login = await fetch(`${registry.url}/v1/auth/login`, {
    method: "POST",
    body: JSON.stringify({ username: "admin", password: PASSWORD }),
    tls: { ca: readFileSync(certificate, "utf8") },
  });
  const { token } = (await login.json()) as { token: string };
  const status = await mcr([
    "ctl",
    "--server",
    registry.url,
    "--ca-cert",
    certificate,
    "--token",
    token,
    "status",
  ]);
  expect({ code: status.code, stderr: status.stderr }).toMatchObject({ code: 0 });
  expect(status.stdout).toMatch(/status: +ok/);
  expect(status.stdout).toMatch(/repositories: +1/);

  expect((await mcr(["health", "--url", registry.url])).code).toBe(0);
  const snapshot = await mcr(["snapshot", "--config", config]);
  expect(snapshot.code).toBe(0);
  expect(snapshot.stdout.trim()).toStartWith(join(host, "srv", "snapshots", "mcr-"));
}, 30_000);

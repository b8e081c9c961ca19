import { afterEach, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";
import { listTree } from "../helpers/tree-listing.ts";
import { runMcr, startMcr } from "./mcr-process.ts";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) removeFolder(folder);
});

test("init writes an annotated config and a self-signed certificate, and serve uses them", async () => {
  const cwd = makeTempFolder("mcr-e2e-init-install-");
  folders.push(cwd);
  const config = join(cwd, "etc", "mcr.toml");
  const args = ["init", "--config", config, "--data-dir", "srv", "--tls-self-signed"];
  const first = await runMcr([...args, "--tls-hosts", "registry.test,127.0.0.1"], {
    cwd,
    env: { MCR_ADMIN_PASSWORD: "correct horse battery staple" },
  });
  expect(first.code).toBe(0);
  expect(first.stderr).toContain("a certificate from a real CA");

  // The file lists every key, sets the data folder and TLS files, and the real loader takes it.
  const text = readFileSync(config, "utf8");
  expect(text).toContain("# upload_max_age = ");
  expect(text).toContain(`data_dir = "${join(cwd, "srv")}"`);
  const loaded = loadConfig({ file: config, env: {} });
  expect(loaded.server.tlsCert).toBe(join(cwd, "srv", "tls", "cert.pem"));
  for (const path of [config, join(cwd, "srv"), join(cwd, "srv", "tls", "key.pem")]) {
    expect(statSync(path).mode & 0o077).toBe(0);
  }

  // Run again: the same files, byte for byte and mode for mode.
  const before = listTree(cwd);
  const second = await runMcr(args, { cwd });
  expect(second.code).toBe(0);
  expect(second.stderr).toContain("nothing was changed");
  expect(listTree(cwd)).toEqual(before);

  const mcr = await startMcr(["--config", config, "--listen", "127.0.0.1:0"], { cwd });
  try {
    expect(mcr.url).toStartWith("https://");
    const certificate = readFileSync(loaded.server.tlsCert ?? "", "utf8");
    const health = await fetch(`${mcr.url}/v1/health`, { tls: { ca: certificate } });
    expect(health.status).toBe(200);

    const port = new URL(mcr.url).port;
    const probe = await runMcr(["health", "--url", `https://127.0.0.1:${port}`], { cwd });
    expect(probe.code).toBe(0);
  } finally {
    await mcr.stop();
  }
  const down = await runMcr(["health", "--config", config], { cwd });
  expect(down.code).toBe(1);
}, 30_000);

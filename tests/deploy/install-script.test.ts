import { afterEach, expect, test } from "bun:test";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { MCR_BINARY, requireBinary } from "../e2e/mcr-process.ts";
import { runCommand } from "../helpers/run-command.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";
import { listTree } from "../helpers/tree-listing.ts";

const SCRIPT = resolve(import.meta.dir, "../../deploy/scripts/install.sh");

/** What the script installs on a real host: none of it may change when staging. */
const HOST_PATHS = [
  "/usr/local/bin/mcr",
  "/etc/mcr",
  "/srv/mcr",
  "/etc/systemd/system/mcr.service",
  "/etc/systemd/system/mcr-backup.timer",
  "/usr/local/share/doc/mcr",
];

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) removeFolder(folder);
});

/**
 * A folder of stand-ins for the commands that change a host (systemctl, useradd and
 * friends): each only appends its command line to `log`, so a test sees any call.
 */
function spyFolder(log: string): string {
  const folder = makeTempFolder("mcr-install-spies-");
  folders.push(folder, log);
  for (const name of ["systemctl", "useradd", "groupadd", "usermod", "chown"]) {
    const path = join(folder, name);
    writeFileSync(path, `#!/bin/sh\necho "${name} $*" >> '${log}'\n`);
    chmodSync(path, 0o755);
  }
  return folder;
}

function hostState(): string[] {
  return HOST_PATHS.map((path) =>
    existsSync(path) ? listTree(path).join("\n") : `${path} absent`,
  );
}

test("install.sh into a staging root twice: same tree, nothing outside it touched", async () => {
  requireBinary();
  const root = makeTempFolder("mcr-install-root-");
  folders.push(root);
  const before = hostState();
  const calls = join(root, "..", `${root.split("/").pop()}-calls.log`);
  const install = () =>
    runCommand(["bash", SCRIPT, "--root", root, "--binary", MCR_BINARY], {
      env: { ...process.env, PATH: `${spyFolder(calls)}:${process.env.PATH}` },
    });

  const first = await install();
  expect(first.code).toBe(0);
  expect(first.stdout).toContain("no user is created");
  const listing = listTree(root);
  const second = await install();
  expect(second.code).toBe(0);
  expect(second.stdout).toContain("unchanged /usr/local/bin/mcr");
  expect(listTree(root)).toEqual(listing);
  expect(hostState()).toEqual(before);
  expect(existsSync(calls) ? readFileSync(calls, "utf8") : "").toBe("");

  const mode = (path: string) => (statSync(join(root, path)).mode & 0o7777).toString(8);
  expect(mode("usr/local/bin/mcr")).toBe("755");
  expect(mode("srv/mcr")).toBe("700");
  expect(mode("etc/mcr")).toBe("750");
  expect(mode("etc/mcr/mcr.toml")).toBe("640");
  expect(mode("etc/systemd/system/mcr.service")).toBe("644");
  for (const unit of ["mcr.service", "mcr-web.service", "mcr-backup.service", "mcr-backup.timer"]) {
    expect(existsSync(join(root, "etc/systemd/system", unit))).toBe(true);
  }
});

test("an operator's config survives a re-install", async () => {
  requireBinary();
  const root = makeTempFolder("mcr-install-root-");
  folders.push(root);
  const install = () => runCommand(["bash", SCRIPT, "--root", root, "--binary", MCR_BINARY]);
  expect((await install()).code).toBe(0);
  await Bun.write(join(root, "etc/mcr/mcr.toml"), '[log]\nlevel = "debug"\n');

  const again = await install();
  expect(again.code).toBe(0);
  expect(again.stdout).toContain("keeping /etc/mcr/mcr.toml");
  expect(readFileSync(join(root, "etc/mcr/mcr.toml"), "utf8")).toBe('[log]\nlevel = "debug"\n');
});

test.skipIf(Bun.which("shellcheck") === null)("install.sh passes shellcheck", async () => {
  const result = await runCommand(["shellcheck", SCRIPT]);
  expect(result.output).toBe("");
  expect(result.code).toBe(0);
});

import { afterEach, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { MCR_BINARY, requireBinary } from "../e2e/mcr-process.ts";
import { runCommand } from "../helpers/run-command.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

const UNITS_DIR = resolve(import.meta.dir, "../../deploy/systemd");
const UNITS = ["mcr.service", "mcr-web.service", "mcr-backup.service", "mcr-backup.timer"];
const SERVICES = UNITS.filter((unit) => unit.endsWith(".service"));
const HAS_SYSTEMD_ANALYZE = Bun.which("systemd-analyze") !== null;

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) removeFolder(folder);
});

function unit(name: string): string {
  return readFileSync(join(UNITS_DIR, name), "utf8");
}

test.skipIf(!HAS_SYSTEMD_ANALYZE)("systemd-analyze verify finds nothing to say", async () => {
  // verify checks that ExecStart's program exists, so a copy points at the built binary.
  requireBinary();
  const folder = makeTempFolder("mcr-units-");
  folders.push(folder);
  for (const name of UNITS) {
    writeFileSync(join(folder, name), unit(name).replaceAll("/usr/local/bin/mcr", MCR_BINARY));
  }
  const result = await runCommand(
    ["systemd-analyze", "verify", "--man=no", ...UNITS.map((name) => join(folder, name))],
    { cwd: folder },
  );
  // Unknown keys and bad values are only warnings (exit 0): any output at all is a failure.
  expect(result.output).toBe("");
  expect(result.code).toBe(0);
});

test("every service runs as mcr, hardened, and never denies Bun's JIT its memory", () => {
  for (const name of SERVICES) {
    const text = unit(name);
    for (const line of [
      "User=mcr",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ProtectHome=yes",
      "PrivateTmp=yes",
      "PrivateDevices=yes",
      "CapabilityBoundingSet=\n",
    ]) {
      expect({ name, has: text.includes(line) ? line : null }).toEqual({ name, has: line });
    }
    expect(text).toMatch(/^RestrictAddressFamilies=/m);
    expect(text).not.toMatch(/^MemoryDenyWriteExecute=/m);
  }
  // Only the services that write may write, and only the data folder.
  expect(unit("mcr.service")).toContain("ReadWritePaths=/srv/mcr\n");
  expect(unit("mcr-backup.service")).toContain("ReadWritePaths=/srv/mcr\n");
  expect(unit("mcr-web.service")).not.toContain("ReadWritePaths=");
});

test("the backup runs daily with jitter and prunes through mcr snapshot", () => {
  const timer = unit("mcr-backup.timer");
  expect(timer).toMatch(/^OnCalendar=daily$/m);
  expect(timer).toMatch(/^RandomizedDelaySec=\S+$/m);
  expect(timer).toMatch(/^Persistent=yes$|^Persistent=true$/m);
  expect(unit("mcr-backup.service")).toMatch(/^ExecStart=\/usr\/local\/bin\/mcr snapshot /m);
});

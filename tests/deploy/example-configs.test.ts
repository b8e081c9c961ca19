import { afterEach, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CONFIG_KEYS } from "../../src/config/keys.ts";
import { loadConfig } from "../../src/config/load.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

/** The shipped example files, loaded by MCR's own loader so they cannot drift from the code. */
const EXAMPLE = resolve(import.meta.dir, "../../deploy/examples/mcr.toml");
const RIFT = resolve(import.meta.dir, "../../deploy/mcr-rift.toml");

/** Keys whose commented line shows an example value rather than the default. */
const EXAMPLE_VALUES = [
  "server.external_url",
  "server.tls_cert",
  "server.tls_key",
  "mcias.server_url",
];

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) removeFolder(folder);
});

test("deploy/examples/mcr.toml loads and sets only the data folder", () => {
  const config = loadConfig({ file: EXAMPLE, env: {} });
  expect(config.storage.dataDir).toBe("/srv/mcr");
  const defaults = loadConfig({ env: {}, flags: { "storage.data_dir": "/srv/mcr" } });
  expect(config).toEqual(defaults);
});

test("deploy/examples/mcr.toml shows every key, and each default it shows is the real one", () => {
  const uncommented = readFileSync(EXAMPLE, "utf8").replace(/^# ([a-z_]+ = )/gm, "$1");
  const parsed = Bun.TOML.parse(uncommented) as Record<string, Record<string, unknown>>;
  for (const [section, keys] of Object.entries(CONFIG_KEYS)) {
    for (const [key, spec] of Object.entries(keys)) {
      const dotted = `${section}.${key}`;
      expect({ dotted, present: key in (parsed[section] ?? {}) }).toEqual({
        dotted,
        present: true,
      });
      if (EXAMPLE_VALUES.includes(dotted) || dotted === "storage.data_dir") continue;
      const shown = spec.parse(parsed[section]?.[key]);
      expect({ dotted, shown }).toEqual({ dotted, shown: spec.parse(spec.default) });
    }
  }

  // With every line uncommented (example values included) the file is still valid.
  const folder = makeTempFolder("mcr-example-");
  folders.push(folder);
  writeFileSync(join(folder, "all.toml"), uncommented);
  expect(() =>
    loadConfig({ file: join(folder, "all.toml"), env: {}, checkFiles: false }),
  ).not.toThrow();
});

test("deploy/mcr-rift.toml is an MCIAS, TLS, /srv/mcr configuration", () => {
  // Its certificate files live on the rift host, not here.
  const config = loadConfig({ file: RIFT, env: {}, checkFiles: false });
  expect(config.auth.provider).toBe("mcias");
  expect(config.mcias.serverUrl).toStartWith("https://");
  expect(config.server.tlsCert).toStartWith("/srv/mcr/");
  expect(config.server.tlsKey).toStartWith("/srv/mcr/");
  expect(config.storage.dataDir).toBe("/srv/mcr");
  expect(config.server.listen).toEqual({ host: "0.0.0.0", port: 8443 });
  expect(config.server.rpcListen).toEqual({ host: "0.0.0.0", port: 9443 });
  // Without checkFiles, the only complaints are the missing files.
  expect(() => loadConfig({ file: RIFT, env: {} })).toThrow("does not exist");
});

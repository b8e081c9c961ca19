import { afterEach, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderAnnotatedConfig } from "../../src/config/annotated-config.ts";
import { CONFIG_KEYS } from "../../src/config/keys.ts";
import { loadConfig } from "../../src/config/load.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) removeFolder(folder);
});

function load(text: string) {
  const folder = makeTempFolder("mcr-annotated-");
  folders.push(folder);
  const file = join(folder, "mcr.toml");
  writeFileSync(file, text);
  return loadConfig({ file, env: {} });
}

test("every key is listed, commented out, and the file loads to the defaults", () => {
  const text = renderAnnotatedConfig({}, "a header\n\nsecond line");
  expect(text).toStartWith("# a header\n#\n# second line\n");
  for (const [section, keys] of Object.entries(CONFIG_KEYS)) {
    expect(text).toContain(`[${section}]`);
    for (const key of Object.keys(keys)) expect(text).toMatch(new RegExp(`^# ${key} = `, "m"));
  }
  expect(load(text)).toEqual(loadConfig({ env: {} }));
});

test("the values given are set, quoted as TOML needs", () => {
  const text = renderAnnotatedConfig(
    {
      "storage.data_dir": '/srv/with "quotes" and \\',
      "server.trusted_proxies": ["10.0.0.0/8", "127.0.0.1"],
      "metrics.enabled": false,
      "snapshot.keep_days": 7,
    },
    "header",
  );
  const config = load(text);
  expect(config.storage.dataDir).toBe('/srv/with "quotes" and \\');
  expect(config.server.trustedProxies).toEqual(["10.0.0.0/8", "127.0.0.1"]);
  expect(config.metrics.enabled).toBe(false);
  expect(config.snapshot.keepDays).toBe(7);
});

test("uncommenting every line gives the defaults again: the defaults shown are true", () => {
  const text = renderAnnotatedConfig({}, "header").replace(/^# ([a-z_]+ = )/gm, "$1");
  expect(load(text)).toEqual(loadConfig({ env: {} }));
});

import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";
import { runMcr, startMcr } from "./mcr-process.ts";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) removeFolder(folder);
});

function tempFolder(): string {
  const folder = makeTempFolder("mcr-e2e-init-");
  folders.push(folder);
  return folder;
}

async function basicStatus(url: string, username: string, password: string) {
  const response = await fetch(`${url}/v2/`, {
    headers: { Authorization: `Basic ${btoa(`${username}:${password}`)}` },
  });
  return response.status;
}

test("mcr init prints a generated password once, and serve then accepts it", async () => {
  const cwd = tempFolder();
  const init = await runMcr(["init"], { cwd });
  expect(init.code).toBe(0);
  const password = init.stdout.trim();
  expect(password.length).toBeGreaterThanOrEqual(16);
  expect(init.stderr).toContain("admin");
  expect(init.stderr).not.toContain(password);

  // A second run changes nothing, says so, and succeeds: it is safe in a provisioning script.
  const again = await runMcr(["init"], { cwd });
  expect(again.code).toBe(0);
  expect(again.stdout).toBe("");
  expect(again.stderr).toContain("already has accounts");
  expect(again.stderr).toContain("nothing was changed");

  const mcr = await startMcr(["--listen", "127.0.0.1:0"], { cwd });
  try {
    // An initialised database gets no generated admin-password file.
    expect(existsSync(join(cwd, "data", "admin-password"))).toBe(false);
    expect(await basicStatus(mcr.url, "admin", password)).toBe(200);
    expect(await basicStatus(mcr.url, "admin", `${password}x`)).toBe(401);
  } finally {
    await mcr.stop();
  }
}, 30_000);

test("mcr init takes the password from a file or MCR_ADMIN_PASSWORD and prints none", async () => {
  const cwd = tempFolder();
  writeFileSync(join(cwd, "pw"), "correct horse battery staple\n");
  const fromFile = await runMcr(
    ["init", "--data-dir", "a", "--username", "root", "--password-file", "pw"],
    {
      cwd,
    },
  );
  expect(fromFile.code).toBe(0);
  expect(fromFile.stdout).toBe("");

  const fromEnv = await runMcr(["init", "--data-dir", "b"], {
    cwd,
    env: { MCR_ADMIN_PASSWORD: "another long password" },
  });
  expect(fromEnv.code).toBe(0);
  expect(fromEnv.stdout).toBe("");

  const weak = await runMcr(["init", "--data-dir", "c"], {
    cwd,
    env: { MCR_ADMIN_PASSWORD: "short" },
  });
  expect(weak.code).toBe(2);
  expect(weak.stderr).toContain("at least 12 characters");

  const mcr = await startMcr(["--listen", "127.0.0.1:0", "--data-dir", "a"], { cwd });
  try {
    expect(await basicStatus(mcr.url, "root", "correct horse battery staple")).toBe(200);
  } finally {
    await mcr.stop();
  }
}, 30_000);

test("mcr init --add-admin lets an operator back in while the registry runs", async () => {
  const cwd = tempFolder();
  expect(
    (await runMcr(["init"], { cwd, env: { MCR_ADMIN_PASSWORD: "lost forever 123" } })).code,
  ).toBe(0);
  const mcr = await startMcr(["--listen", "127.0.0.1:0"], { cwd });
  try {
    const nameless = await runMcr(["init", "--add-admin"], { cwd });
    expect(nameless.code).toBe(2);
    expect(nameless.stderr).toContain("--add-admin needs --username");
    const taken = await runMcr(["init", "--add-admin", "--username", "admin"], { cwd });
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain("account admin already exists");

    const rescue = await runMcr(["init", "--add-admin", "--username", "rescue"], { cwd });
    expect(rescue.code).toBe(0);
    const password = rescue.stdout.trim();
    expect(rescue.stderr).toContain("admin account rescue");
    // The running registry knows the new admin at once, with the admin role.
    const response = await fetch(`${mcr.url}/v1/accounts`, {
      headers: { Authorization: `Basic ${btoa(`rescue:${password}`)}` },
    });
    expect(response.status).toBe(200);
  } finally {
    await mcr.stop();
  }
}, 30_000);

test("mcr init --add-admin writes no config beside a registry started with flags", async () => {
  const cwd = tempFolder();
  const mcr = await startMcr(["--listen", "127.0.0.1:0", "--data-dir", "state"], {
    cwd,
    env: { MCR_ADMIN_PASSWORD: "lost forever 123" },
  });
  try {
    const rescue = await runMcr(
      ["init", "--add-admin", "--username", "rescue", "--data-dir", "state"],
      { cwd },
    );
    expect(rescue.code).toBe(0);
    expect(rescue.stderr).toContain("admin account rescue");
    expect(rescue.stderr).not.toContain("start the registry");
    expect(existsSync(join(cwd, "state", "mcr.toml"))).toBe(false);

    const nowhere = await runMcr(
      ["init", "--add-admin", "--username", "rescue", "--data-dir", "elsewhere"],
      { cwd },
    );
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain("no database at");
    expect(existsSync(join(cwd, "elsewhere"))).toBe(false);
  } finally {
    await mcr.stop();
  }
}, 30_000);

test("mcr init on a database from a newer mcr says so in one line and changes nothing", async () => {
  const cwd = tempFolder();
  const env = { MCR_ADMIN_PASSWORD: "lost forever 123" };
  expect((await runMcr(["init"], { cwd, env })).code).toBe(0);
  const database = new Database(join(cwd, "data", "mcr.db"));
  database.run("INSERT INTO schema_migrations VALUES (99, '0099_future', 1)");
  database.close();

  for (const args of [["init"], ["init", "--add-admin", "--username", "eve"]]) {
    const refused = await runMcr(args, { cwd, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("written by a newer mcr");
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  }
}, 30_000);

test("provider none refuses a non-loopback listener unless forced", async () => {
  // Only the refusal is exercised: our servers never listen beyond loopback, so the forced
  // start (which warns at every start) is not run here.
  const refused = await runMcr(["serve", "--listen", "0.0.0.0:0"], {
    cwd: tempFolder(),
    env: { MCR_AUTH_PROVIDER: "none" },
  });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain("auth.allow_open_network");
}, 30_000);

test("mcr snapshot copies the database while mcr serve runs and prints where", async () => {
  const cwd = tempFolder();
  const mcr = await startMcr(["--listen", "127.0.0.1:0"], {
    cwd,
    env: { MCR_AUTH_PROVIDER: "none" },
  });
  try {
    const snapshot = await runMcr(["snapshot"], { cwd });
    expect(snapshot.code).toBe(0);
    const path = snapshot.stdout.trim();
    expect(path).toStartWith(join(cwd, "data", "snapshots", "mcr-"));
    expect(existsSync(path)).toBe(true);
    // The server kept serving throughout.
    expect((await fetch(`${mcr.url}/v2/`)).status).toBe(200);

    // The container's health probe: port from the environment, https tried, then http.
    const listen = `0.0.0.0:${new URL(mcr.url).port}`;
    const health = await runMcr(["health"], { cwd, env: { MCR_SERVER_LISTEN: listen } });
    expect({ code: health.code, stderr: health.stderr }).toEqual({ code: 0, stderr: "" });
  } finally {
    await mcr.stop();
  }
}, 30_000);

test("mcr init with a refused admin password or name writes nothing", async () => {
  const cwd = tempFolder();
  const short = await runMcr(["init"], { cwd, env: { MCR_ADMIN_PASSWORD: "short" } });
  expect(short.code).toBe(2);
  expect(short.stderr).toContain(
    "MCR_ADMIN_PASSWORD: a password needs at least 12 characters; nothing was written",
  );
  const badName = await runMcr(["init", "--username", "no spaces"], { cwd });
  expect(badName.code).toBe(2);
  expect(badName.stderr).toContain("--username: username");
  expect(existsSync(join(cwd, "data"))).toBe(false);
});

test("mcr snapshot without a database fails and creates no folder", async () => {
  const cwd = tempFolder();
  const snapshot = await runMcr(["snapshot"], { cwd, env: { MCR_AUTH_PROVIDER: "none" } });
  expect(snapshot.code).toBe(1);
  expect(snapshot.stderr).toContain(`there is no database at ${join(cwd, "data", "mcr.db")}`);
  expect(existsSync(join(cwd, "data"))).toBe(false);
});

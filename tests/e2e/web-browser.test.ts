/**
 * The web UI in a real browser: Debian's Chromium, driven by Playwright, against the compiled
 * `mcr web` and `mcr serve`, with a multi-arch image pushed by skopeo. Each page is saved as
 * a screenshot in tests/artifacts/web/ (ignored by git) for a person to look at.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { basic } from "../helpers/auth.ts";
import {
  buildMultiArchImage,
  type MultiArchImage,
  pushMultiArchImage,
  pushSignature,
  writeOciLayout,
} from "../helpers/multi-arch-image.ts";
import { runCommand } from "../helpers/run-command.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";
import { type McrProcess, requireBinary, startMcr } from "./mcr-process.ts";
import { type McrWebProcess, startMcrWeb } from "./mcr-web-process.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = resolve(import.meta.dir, "../artifacts/web");

let workDir: string;
let registry: McrProcess;
let web: McrWebProcess;
let browser: Browser;
let page: Page;
let password: string;
let image: MultiArchImage;
const cspViolations: string[] = [];
/** Set when the browser session ran to its end; until then, a failure keeps its page. */
let sessionFinished = false;

async function pushWithSkopeo(host: string, repository: string, built: MultiArchImage) {
  const layout = join(workDir, `layout-${repository.replaceAll("/", "-")}`);
  writeOciLayout(layout, "1.0", built);
  // The client's auth file and temporary files stay in the work folder.
  const client = join(workDir, "client");
  mkdirSync(join(client, "tmp"), { recursive: true });
  writeFileSync(join(client, "auth.json"), '{"auths":{}}');
  const result = await runCommand(
    [
      "skopeo",
      "copy",
      "--all",
      "--dest-creds",
      `admin:${password}`,
      "--dest-tls-verify=false",
      `oci:${layout}:1.0`,
      `docker://${host}/${repository}:1.0`,
    ],
    {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: client,
        TMPDIR: join(client, "tmp"),
        REGISTRY_AUTH_FILE: join(client, "auth.json"),
      },
    },
  );
  if (result.code !== 0) throw new Error(`skopeo copy failed:\n${result.output}`);
}

async function screenshot(name: string) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  requireBinary();
  mkdirSync(ARTIFACTS, { recursive: true });
  workDir = makeTempFolder("mcr-e2e-web-");
  const dataDir = join(workDir, "data");
  registry = await startMcr(["--listen", "127.0.0.1:0", "--data-dir", dataDir], {
    cwd: workDir,
    env: { MCR_AUTH_PROVIDER: "local" },
  });
  const rpc = /admin RPC listening.*?\baddress"?[=:]"?([^\s"]+)/.exec(registry.log())?.[1];
  if (!rpc) throw new Error(`no RPC address in the log:\n${registry.log()}`);
  password = readFileSync(join(dataDir, "admin-password"), "utf8").trim();
  const host = registry.url.replace(/^https?:\/\//, "");

  image = buildMultiArchImage("team/app");
  await pushWithSkopeo(host, "team/app", image);
  await pushSignature(registry.url, "team/app", image, basic("admin", password));
  await pushMultiArchImage(registry.url, "tools/lint", "latest", basic("admin", password));

  web = await startMcrWeb([
    "--listen",
    "127.0.0.1:0",
    "--api",
    `http://${rpc}`,
    "--registry-host",
    host,
  ]);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(10_000);
  page.on("console", (message) => {
    if (/content security policy/i.test(message.text())) cspViolations.push(message.text());
  });
}, 45_000);

afterAll(async () => {
  // Both servers' logs beside the screenshots, for a person looking into a failed run, and
  // the page the session stopped on (its address, HTML and look) if it did not finish.
  if (registry) writeFileSync(join(ARTIFACTS, "registry.log"), registry.log());
  if (web) writeFileSync(join(ARTIFACTS, "web.log"), web.log());
  if (page && !sessionFinished) {
    const html = await page.content().catch((error) => `page.content() failed: ${error}`);
    writeFileSync(join(ARTIFACTS, "failed-page.html"), `<!-- ${page.url()} -->\n${html}`);
    await screenshot("failed-page").catch(() => {});
  }
  await browser?.close();
  await web?.stop();
  await registry?.stop();
  if (workDir) removeFolder(workDir);
}, 20_000);

test("an admin logs in, browses, manages a policy, reads the audit log and logs out", async () => {
  // Log in.
  await page.goto(`${web.url}/`);
  expect(new URL(page.url()).pathname).toBe("/login");
  await screenshot("01-login");
  await page.fill('input[name="username"]', "admin");
  await page.fill('input[name="password"]', password);
  await page.click('button:has-text("Log in")');
  await page.waitForURL(`${web.url}/`);

  // The dashboard.
  await expect(page.locator(".cards").textContent()).resolves.toContain("Repositories2");
  await expect(page.locator("main").textContent()).resolves.toContain("team/app");
  await screenshot("02-dashboard");

  // The repositories, filtered in place by HTMX as one types.
  await page.click('nav a:has-text("Repositories")');
  await page.fill("#filter", "team");
  await page.locator('a:has-text("tools/lint")').waitFor({ state: "detached" });
  expect(new URL(page.url()).search).toBe("?q=team");
  await screenshot("03-repositories");

  // The multi-arch repository and its index.
  await page.click('a:has-text("team/app")');
  await expect(page.locator("main").textContent()).resolves.toContain("index (2 platforms)");
  await expect(page.locator("main").textContent()).resolves.toContain("linux/arm64/v8");
  await screenshot("04-repository");
  await page.click(`a.digest[href*="${encodeURIComponent(image.index.digest)}"] >> nth=0`);
  await expect(page.locator("main").textContent()).resolves.toContain("Platforms");
  const pull = await page.inputValue('input[aria-label="Pull command"]');
  expect(pull).toContain(`/team/app@${image.index.digest}`);
  await screenshot("05-index");
  await page.click('a.digest:has-text("sha256:") >> nth=0');
  await expect(page.locator("main").textContent()).resolves.toContain("Layers");
  await screenshot("06-manifest");

  // A policy: create, disable in place, delete after confirming.
  await page.click('nav a:has-text("Policies")');
  await page.fill('input[name="priority"]', "50");
  await page.selectOption('select[name="effect"]', "deny");
  await page.fill('input[name="actions"]', "registry:push");
  await page.fill('input[name="repositories"]', "team/*");
  await page.fill('input[name="description"]', "freeze team images");
  await page.click('button:has-text("Create rule")');
  const row = page.locator("tr", { hasText: "freeze team images" });
  await expect(row.textContent()).resolves.toContain("enabled");
  await screenshot("07-policy-created");
  await row.locator('button:has-text("Disable")').click();
  await page.locator("tr", { hasText: "freeze team images" }).locator("text=disabled").waitFor();
  await screenshot("08-policy-disabled");
  await page
    .locator("tr", { hasText: "freeze team images" })
    .locator('a:has-text("Delete")')
    .click();
  await expect(page.locator("main").textContent()).resolves.toContain("Delete rule");
  await screenshot("09-policy-confirm-delete");
  await page.click('button:has-text("Delete")');
  await page.waitForURL(`${web.url}/policies`);
  expect(await page.locator("main").textContent()).not.toContain("freeze team images");

  // The audit log shows what was just done.
  await page.click('nav a:has-text("Audit log")');
  await page.fill('input[name="actor"]', "admin");
  await page.click('button:has-text("Filter")');
  await page.waitForURL(/actor=admin/);
  const events = await page.locator("table.audit").textContent();
  for (const type of ["policy_rule_created", "policy_rule_updated", "policy_rule_deleted"]) {
    expect(events).toContain(type);
  }
  await screenshot("10-audit");

  await page.click('nav a:has-text("Accounts")');
  await screenshot("11-accounts");

  // Log out: the session is gone, and the dashboard asks for a login again.
  await page.click('button:has-text("Log out")');
  await page.waitForURL(`${web.url}/login`);
  await page.goto(`${web.url}/`);
  expect(new URL(page.url()).pathname).toBe("/login");

  expect(cspViolations).toEqual([]);
  sessionFinished = true;
}, 45_000);

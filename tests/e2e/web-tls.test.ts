import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { runCommand } from "../helpers/run-command.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";
import { requireBinary } from "./mcr-process.ts";
import { type McrWebProcess, startMcrWeb } from "./mcr-web-process.ts";

let workDir: string;
let web: McrWebProcess;
beforeAll(async () => {
  requireBinary();
  workDir = makeTempFolder("mcr-e2e-web-tls-");
  const cert = join(workDir, "web.crt");
  const key = join(workDir, "web.key");
  const made = await runCommand([
    "openssl",
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    key,
    "-out",
    cert,
  ]);
  if (made.code !== 0) throw new Error(made.output);
  // The login page needs no API: nothing listens on port 9.
  web = await startMcrWeb([
    "--listen",
    "127.0.0.1:0",
    "--tls-cert",
    cert,
    "--tls-key",
    key,
    "--api",
    "http://127.0.0.1:9",
  ]);
}, 20_000);
afterAll(async () => {
  await web?.stop();
  if (workDir) removeFolder(workDir);
});

test("with a certificate, the UI speaks TLS 1.3 only and its cookies are Secure", async () => {
  expect(web.url).toStartWith("https://");
  const response = await fetch(`${web.url}/login`, { tls: { rejectUnauthorized: false } });
  expect(response.status).toBe(200);
  expect(response.headers.getSetCookie().join("\n")).toContain("; Secure");
  expect(response.headers.get("strict-transport-security")).toContain("max-age=");

  const tls12 = await runCommand(["curl", "-sk", "--tls-max", "1.2", `${web.url}/login`]);
  expect(tls12.code).not.toBe(0);
  const tls13 = await runCommand([
    "curl",
    "-sk",
    "--tlsv1.3",
    "-o",
    "/dev/null",
    `${web.url}/login`,
  ]);
  expect(tls13.code).toBe(0);
});

test("a registry that does not answer gets a clear page", async () => {
  const login = await fetch(`${web.url}/login`, { tls: { rejectUnauthorized: false } });
  const cookie = login.headers.getSetCookie()[0]?.split(";")[0] ?? "";
  const token = /name="_csrf" value="([^"]+)"/.exec(await login.text())?.[1] ?? "";
  const response = await fetch(`${web.url}/login`, {
    method: "POST",
    tls: { rejectUnauthorized: false },
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: token, username: "admin", password: "x" }),
  });
  expect(response.status).toBe(503);
  expect(await response.text()).toContain("The registry is not answering");
});

test("a certificate or CA file that is missing is a one-line usage error, not a crash", async () => {
  const missing = join(workDir, "missing.pem");
  for (const flags of [
    ["--api-ca", missing],
    ["--tls-cert", missing, "--tls-key", missing],
  ]) {
    const result = await runCommand([requireBinary(), "web", "--listen", "127.0.0.1:0", ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(`${missing} is not a readable file`);
  }
});

/**
 * A full data disk with local accounts: the token endpoint and the admin login need no
 * database row, so docker, podman and skopeo (which always ask for a token first) keep
 * pulling, and an operator can still sign in to free space.
 *
 * mount(8) needs root: as another user the file is skipped with a message.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { basic, bearer, pushImageAs } from "../helpers/auth.ts";
import { canMount, fillTheRest, mountSmallDisk, type SmallDisk } from "../helpers/small-disk.ts";
import { type McrProcess, startMcr } from "./mcr-process.ts";

if (!canMount) console.warn("disk-full-tokens.test.ts skipped: mounting a tmpfs needs root");

const PASSWORD = "a long enough admin password";
const ADMIN = basic("admin", PASSWORD);

async function pullToken(base: string): Promise<Response> {
  return fetch(`${base}/v2/token?service=mcr&scope=repository:team/app:pull`, {
    headers: { Authorization: ADMIN },
  });
}

describe.skipIf(!canMount)("token clients on a full disk", () => {
  let disk: SmallDisk | undefined;
  let mcr: McrProcess;
  let filler = "";
  let image: Awaited<ReturnType<typeof pushImageAs>>;

  beforeAll(async () => {
    disk = mountSmallDisk("8m", "mcr-disk-full-tokens-");
    const mountPoint = disk.path;
    filler = join(mountPoint, "filler");
    const dataDir = join(mountPoint, "data");
    mcr = await startMcr(["--listen", "127.0.0.1:0", "--data-dir", dataDir], {
      cwd: mountPoint,
      env: { MCR_AUTH_PROVIDER: "local", MCR_ADMIN_PASSWORD: PASSWORD },
    });
    image = await pushImageAs(mcr.url, "team/app", "v1", ADMIN);
    // A token before the disk fills proves the endpoint works; the next ones must too.
    expect((await pullToken(mcr.url)).status).toBe(200);
    fillTheRest(filler);
  });

  afterAll(async () => {
    await mcr?.stop("SIGKILL");
    disk?.remove();
  });

  test("a pull token is issued, and pulls with it", async () => {
    const answer = await pullToken(mcr.url);
    expect(answer.status).toBe(200);
    const { token } = (await answer.json()) as { token: string };
    const manifest = await fetch(`${mcr.url}/v2/team/app/manifests/v1`, {
      headers: {
        Authorization: bearer(token),
        Accept: "application/vnd.oci.image.manifest.v1+json",
      },
    });
    expect(manifest.status).toBe(200);
    expect(await manifest.text()).toBe(image.manifest);
    const blob = await fetch(`${mcr.url}/v2/team/app/blobs/${image.layerDigest}`, {
      headers: { Authorization: bearer(token) },
    });
    expect(blob.status).toBe(200);
  });

  test("an admin can sign in, use the session and sign out", async () => {
    const login = await fetch(`${mcr.url}/v1/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const repositories = await fetch(`${mcr.url}/v1/repositories`, {
      headers: { Authorization: bearer(token) },
    });
    expect(repositories.status).toBe(200);

    const logout = await fetch(`${mcr.url}/v1/auth/logout`, {
      method: "POST",
      headers: { Authorization: bearer(token) },
    });
    expect(logout.status).toBeLessThan(300);
    const after = await fetch(`${mcr.url}/v1/repositories`, {
      headers: { Authorization: bearer(token) },
    });
    expect(after.status).toBe(401);
  });

  test("the lost audit events are warnings, not errors", () => {
    expect(mcr.log()).toContain("audit event could not be written");
    expect(mcr.log()).not.toMatch(/ERROR[^\n]*audit event/);
  });

  test("once space is freed, tokens are stored again", async () => {
    rmSync(filler);
    expect((await pullToken(mcr.url)).status).toBe(200);
  });
});

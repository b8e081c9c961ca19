import { afterAll, beforeAll, expect, test } from "bun:test";
import { type AuthRegistry, pushImageAs, startAuthRegistry } from "../helpers/auth.ts";
import { callApi } from "../helpers/rest-client.ts";

/**
 * A collection with its own grace period: on a full disk, an operator frees what was
 * deleted minutes ago without changing gc.grace_period and restarting.
 */
let registry: AuthRegistry;
beforeAll(async () => {
  registry = await startAuthRegistry({ MCR_GC_GRACE_PERIOD: "1h" });
});
afterAll(() => registry.destroy());

interface GcAnswer {
  state: string;
  last: { grace_period_seconds: number; blobs_deleted: number; bytes_freed: number } | null;
}

async function collect(json: Record<string, unknown>): Promise<GcAnswer["last"]> {
  const started = await callApi(registry.url, "POST", "/v1/gc", {
    authorization: registry.admin,
    json,
  });
  expect(started.status).toBe(202);
  for (;;) {
    const status = await callApi<GcAnswer>(registry.url, "GET", "/v1/gc/status", {
      authorization: registry.admin,
    });
    if (status.body.state === "idle") return status.body.last;
    await Bun.sleep(20);
  }
}

test("grace_period 0s frees content deleted a moment ago; the configured hour does not", async () => {
  const image = await pushImageAs(registry.url, "team/app", "v1", registry.admin);
  const deleted = await fetch(`${registry.url}/v2/team/app/manifests/${image.digest}`, {
    method: "DELETE",
    headers: { Authorization: registry.admin },
  });
  expect(deleted.status).toBe(202);

  const configured = await collect({});
  expect(configured).toMatchObject({ grace_period_seconds: 3600, blobs_deleted: 0 });

  const now = await collect({ grace_period: "0s" });
  expect(now).toMatchObject({ grace_period_seconds: 0, blobs_deleted: 2 });
  expect(now?.bytes_freed).toBeGreaterThan(0);
});

test("a grace_period that is no duration is refused before anything runs", async () => {
  for (const grace_period of ["soon", "-5m", ""]) {
    const answer = await callApi<{ error: string }>(registry.url, "POST", "/v1/gc", {
      authorization: registry.admin,
      json: { grace_period },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain("grace_period");
  }
});

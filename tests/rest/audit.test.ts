import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AuthRegistry, pushImageAs, startAuthRegistry } from "../helpers/auth.ts";
import {
  type AuditEventJson,
  callApi,
  expectApiError,
  expectStatus,
} from "../helpers/rest-client.ts";

/** GET /v1/audit: the trail, its filters and its paging. */
let registry: AuthRegistry;
/** Times around the middle of the recorded events: before `middle`, and from it on. */
let middle: number;
let pushed: { digest: string };
beforeAll(async () => {
  registry = await startAuthRegistry();
  for (const username of ["audit-a", "audit-b", "audit-c"]) {
    await createAccount(username);
  }
  await Bun.sleep(5);
  middle = Date.now();
  await Bun.sleep(5);
  pushed = await pushImageAs(registry.url, "audited/app", "v1", registry.admin);
  await createAccount("audit-d");
});
afterAll(() => registry.destroy());

async function createAccount(username: string) {
  const answer = await callApi(registry.url, "POST", "/v1/accounts", {
    authorization: registry.admin,
    json: { username, account_type: "system" },
  });
  expectStatus(answer, 201);
}

interface PageJson {
  events: AuditEventJson[];
  next_before: number | null;
}

/** GET /v1/audit as the admin, with the query given. */
function audit(query: Record<string, string | number> = {}) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) search.set(key, String(value));
  return callApi<PageJson>(registry.url, "GET", `/v1/audit?${search}`, {
    authorization: registry.admin,
  });
}

describe("GET /v1/audit", () => {
  test("lists events newest first, with every field", async () => {
    const answer = await audit();
    expectStatus(answer, 200);
    const { events, next_before } = answer.body;
    expect(next_before).toBeNull();
    const ids = events.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    const created = events.find(
      (event) => event.event_type === "account_created" && event.details?.username === "audit-a",
    );
    expect(created).toMatchObject({
      actor: "admin",
      repository: null,
      digest: null,
      client_address: "127.0.0.1",
      details: { username: "audit-a", type: "system" },
    });
    expect(Number.isNaN(Date.parse(created?.time ?? ""))).toBe(false);
  });

  test("event_type, actor and repository filter the events", async () => {
    const byType = await audit({ event_type: "account_created" });
    expectStatus(byType, 200);
    const usernames = byType.body.events.map((event) => event.details?.username);
    // The first admin, made when the registry first started, is recorded too.
    expect(usernames).toEqual(["audit-d", "audit-c", "audit-b", "audit-a", "admin"]);

    const byActor = await audit({ actor: "admin" });
    expect(byActor.body.events.length).toBeGreaterThan(4);
    expect(byActor.body.events.every((event) => event.actor === "admin")).toBe(true);
    expect((await audit({ actor: "nobody" })).body.events).toEqual([]);

    const byRepository = await audit({ repository: "audited/app" });
    expect(byRepository.body.events.length).toBeGreaterThan(0);
    expect(byRepository.body.events.every((event) => event.repository === "audited/app")).toBe(
      true,
    );
    const manifest = await audit({ repository: "audited/app", event_type: "manifest_pushed" });
    expect(manifest.body.events).toHaveLength(1);
    expect(manifest.body.events[0]?.digest).toBe(pushed.digest);
  });

  test("since (inclusive) and until (exclusive) take RFC 3339 times or milliseconds", async () => {
    const all = (await audit()).body.events;
    const later = all.filter((event) => Date.parse(event.time) >= middle).map((event) => event.id);
    const earlier = all.filter((event) => Date.parse(event.time) < middle).map((event) => event.id);
    expect(later.length).toBeGreaterThan(0);
    expect(earlier.length).toBeGreaterThan(0);

    for (const since of [middle, new Date(middle).toISOString()]) {
      const answer = await audit({ since });
      expectStatus(answer, 200);
      expect(answer.body.events.map((event) => event.id)).toEqual(later);
    }
    for (const until of [middle, new Date(middle).toISOString()]) {
      const answer = await audit({ until });
      expectStatus(answer, 200);
      expect(answer.body.events.map((event) => event.id)).toEqual(earlier);
    }
    // An offset other than Z names the same instant.
    const offset = new Date(middle + 2 * 3600_000).toISOString().replace("Z", "+02:00");
    expect((await audit({ since: offset })).body.events.map((event) => event.id)).toEqual(later);

    const exact = all[0];
    const one = await audit({ since: Date.parse(exact?.time ?? ""), limit: 1 });
    expect(one.body.events[0]?.id).toBe(exact?.id);
    expect((await audit({ since: middle, until: middle })).body.events).toEqual([]);
  });

  test("limit and before page through the events without gaps or repeats", async () => {
    const all = (await audit()).body.events.map((event) => event.id);
    const seen: number[] = [];
    let before: number | null = null;
    for (let pages = 0; pages < all.length; pages++) {
      const query: Record<string, number> = { limit: 2 };
      if (before !== null) query.before = before;
      const answer = await audit(query);
      expectStatus(answer, 200);
      expect(answer.body.events.length).toBeLessThanOrEqual(2);
      seen.push(...answer.body.events.map((event) => event.id));
      before = answer.body.next_before;
      if (before === null) break;
      expect(before).toBe(answer.body.events.at(-1)?.id ?? -1);
    }
    expect(seen).toEqual(all);
  });

  test("before combines with the filters", async () => {
    const first = await audit({ event_type: "account_created", limit: 1 });
    expect(first.body.events[0]?.details?.username).toBe("audit-d");
    const next = first.body.next_before ?? 0;
    const second = await audit({ event_type: "account_created", limit: 1, before: next });
    expect(second.body.events[0]?.details?.username).toBe("audit-c");
  });

  test("a failed login on /v1 is in the trail", async () => {
    await callApi(registry.url, "POST", "/v1/auth/login", {
      json: { username: "admin", password: "wrong-password-here" },
    });
    const failed = await audit({ event_type: "login_failed", limit: 1 });
    expect(failed.body.events[0]).toMatchObject({ event_type: "login_failed" });
  });

  test("bad parameters are 400 with a message naming the parameter", async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ limit: "ten" }, "limit"],
      [{ limit: "-1" }, "limit"],
      [{ limit: "1.5" }, "limit"],
      [{ before: "x" }, "before"],
      [{ before: "1e3" }, "before"],
      [{ since: "yesterday" }, "since"],
      [{ since: "2024-13-45T00:00:00Z" }, "since"],
      [{ until: "not a time" }, "until"],
    ];
    for (const [query, name] of cases) {
      expect(expectApiError(await audit(query), 400)).toContain(name);
    }
  });

  test("limit is kept between 1 and 1000", async () => {
    const zero = await audit({ limit: 0 });
    expectStatus(zero, 200);
    expect(zero.body.events).toHaveLength(1);
    const huge = await audit({ limit: 100000 });
    expectStatus(huge, 200);
    expect(huge.body.next_before).toBeNull();
  });
});

test("since and until must be RFC 3339 or milliseconds, not anything Date.parse accepts", async () => {
  expectApiError(await audit({ since: "March 7" }), 400);
  expectApiError(await audit({ until: "2026-12-04" }), 400);
  expectStatus(await audit({ since: "2026-12-04T00:00:00Z" }), 200);
  expectStatus(await audit({ since: "2026-12-04T00:00:00.5+01:00" }), 200);
});

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { type Client, Code } from "@connectrpc/connect";
import { AccountService } from "../../src/gen/mcr/v1/accounts_pb.ts";
import { type AuditEvent, AuditService } from "../../src/gen/mcr/v1/audit_pb.ts";
import {
  type AuthRegistry,
  basic,
  bearer,
  pushImageAs,
  startAuthRegistry,
} from "../helpers/auth.ts";
import {
  accountWithToken,
  connectRpc,
  expectEveryMethodRefused,
  expectRpcError,
  type RpcConnector,
} from "../helpers/rpc-client.ts";

/** mcr.v1.AuditService over native gRPC: the audit trail, filtered and paged. */
let registry: AuthRegistry;
let rpc: RpcConnector;
let audit: Client<typeof AuditService>;
let accounts: Client<typeof AccountService>;
beforeAll(async () => {
  registry = await startAuthRegistry();
  rpc = connectRpc(registry);
  audit = rpc(AuditService, registry.admin);
  accounts = rpc(AccountService, registry.admin);
});
afterAll(() => registry.destroy());

/** Every event matching `filter`, read page by page with `limit` per page. */
async function readAll(filter: { eventType?: string; repository?: string }, limit: number) {
  const events: AuditEvent[] = [];
  let before = 0n;
  for (let page = 0; page < 100; page++) {
    const answer = await audit.listEvents({ ...filter, limit, before });
    expect(answer.events.length).toBeLessThanOrEqual(limit);
    events.push(...answer.events);
    if (answer.nextBefore === undefined) return events;
    expect(answer.nextBefore).toBe(answer.events.at(-1)?.id ?? -1n);
    before = answer.nextBefore;
  }
  throw new Error("next_before never ran out");
}

test("an admin's change is recorded with its actor, client address and details", async () => {
  const before = Date.now();
  await accounts.createAccount({ username: "audited", accountType: "system", roles: ["ci"] });
  const { events } = await audit.listEvents({ eventType: "account_created", limit: 1 });
  const [event] = events;
  expect(event).toMatchObject({
    eventType: "account_created",
    actor: "admin",
    clientAddress: "127.0.0.1",
    details: { username: "audited", type: "system", roles: ["ci"] },
  });
  expect(event?.repository).toBeUndefined();
  expect(event?.id).toBeGreaterThan(0n);
  const time = event?.time ? timestampMs(event.time) : 0;
  expect(time).toBeGreaterThanOrEqual(before);
  expect(time).toBeLessThanOrEqual(Date.now());
});

test("events come newest first", async () => {
  const { events } = await audit.listEvents({});
  expect(events.length).toBeGreaterThan(1);
  const ids = events.map((event) => event.id);
  expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : 1)));
});

describe("filters", () => {
  let digest: string;
  beforeAll(async () => {
    ({ digest } = await pushImageAs(registry.url, "audit/app", "v1", registry.admin));
    await pushImageAs(registry.url, "audit/other", "v1", registry.admin);
  });

  test("event type, actor and repository combine with AND", async () => {
    const { events } = await audit.listEvents({
      eventType: "manifest_pushed",
      actor: "admin",
      repository: "audit/app",
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ repository: "audit/app", digest, actor: "admin" });

    const app = await audit.listEvents({ repository: "audit/app" });
    expect(new Set(app.events.map((event) => event.repository))).toEqual(new Set(["audit/app"]));
    expect(app.events.map((event) => event.eventType)).toContain("repository_created");

    const nobody = await audit.listEvents({ actor: "nobody" });
    expect(nobody).toMatchObject({ events: [] });
    expect(nobody.nextBefore).toBeUndefined();
  });

  test("since is inclusive and until exclusive", async () => {
    const from = Date.now();
    await accounts.createAccount({ username: "timed", accountType: "system" });
    const to = Date.now() + 1;
    const window = { since: timestampFromMs(from), until: timestampFromMs(to) };
    const { events } = await audit.listEvents({ ...window, eventType: "account_created" });
    expect(events.map((event) => event.details?.username)).toEqual(["timed"]);
    const time = events[0]?.time ? timestampMs(events[0].time) : 0;
    const exact = { since: timestampFromMs(time), until: timestampFromMs(time) };
    expect((await audit.listEvents(exact)).events).toEqual([]);
    const atTheStart = { since: timestampFromMs(time), until: timestampFromMs(time + 1) };
    expect((await audit.listEvents(atTheStart)).events.map((event) => event.id)).toContain(
      events[0]?.id ?? -1n,
    );
  });
});

describe("paging", () => {
  beforeAll(async () => {
    // Written straight to the trail: 120 events are quicker recorded than caused.
    for (let index = 0; index < 120; index++) {
      await registry.running.audit.record({
        type: "blob_deleted",
        actor: null,
        repository: "bulk/app",
        details: { index },
      });
    }
  });

  test("limit pages with next_before, and the pages join up with nothing lost", async () => {
    const filter = { eventType: "blob_deleted", repository: "bulk/app" };
    const paged = await readAll(filter, 7);
    expect(paged).toHaveLength(120);
    expect(paged.map((event) => event.details?.index)).toEqual(
      Array.from({ length: 120 }, (_, index) => 119 - index),
    );
    expect(await readAll(filter, 1000)).toEqual(paged);
  });

  test("a limit of 0 is the server's default of 100", async () => {
    const answer = await audit.listEvents({ repository: "bulk/app", limit: 0 });
    expect(answer.events).toHaveLength(100);
    expect(answer.nextBefore).toBe(answer.events.at(-1)?.id ?? -1n);
  });

  test("a before past every event gives an empty last page", async () => {
    const oldest = (await readAll({ repository: "bulk/app" }, 1000)).at(-1)?.id ?? 0n;
    const answer = await audit.listEvents({ repository: "bulk/app", before: oldest });
    expect(answer.events).toEqual([]);
    expect(answer.nextBefore).toBeUndefined();
  });
});

describe("who may call", () => {
  test("without credentials, or with bad ones, ListEvents is Unauthenticated", async () => {
    for (const authorization of [undefined, bearer("not-a-token"), basic("admin", "wrong-pw")]) {
      const requests = { listEvents: { limit: 10 } };
      await expectEveryMethodRefused(
        rpc,
        AuditService,
        requests,
        authorization,
        Code.Unauthenticated,
      );
    }
  });

  test("an account without the admin role is PermissionDenied", async () => {
    const robot = await accountWithToken(rpc, registry.admin, { username: "audit-robot" });
    const call = rpc(AuditService, robot.authorization).listEvents({ actor: "admin" });
    expect(await expectRpcError(call, Code.PermissionDenied)).toContain("not an admin");
    // Even the account's own events stay hidden from it.
    const own = rpc(AuditService, robot.authorization).listEvents({ actor: "audit-robot" });
    await expectRpcError(own, Code.PermissionDenied);
  });
});

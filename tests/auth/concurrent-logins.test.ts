import { afterAll, beforeAll, expect, test } from "bun:test";
import { AuditLog } from "../../src/audit/audit-log.ts";
import { type MetadataDatabase, openDatabase } from "../../src/db/database.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { type AuthRegistry, basic, startAuthRegistry } from "../helpers/auth.ts";

let registry: AuthRegistry;
let reader: MetadataDatabase;

beforeAll(async () => {
  registry = await startAuthRegistry();
  reader = openDatabase(registry.config.database);
});
afterAll(async () => {
  await reader.close();
  await registry.destroy();
});

async function loginEvents(type: "login_succeeded" | "login_failed") {
  return (await new AuditLog(reader.db, silentLogger).query({ eventType: type })).events;
}

async function statusesOf(authorization: string, count: number): Promise<number[]> {
  const answers = await Promise.all(
    Array.from({ length: count }, () =>
      fetch(`${registry.url}/v2/`, { headers: { Authorization: authorization } }),
    ),
  );
  return answers.map((answer) => answer.status);
}

test("clients sending the same new credentials at once share one password check", async () => {
  // Each check is an argon2id hash; 24 of them at once queued for seconds on two threads.
  const statuses = await statusesOf(registry.admin, 24);

  expect(statuses).toEqual(Array(24).fill(200));
  expect(await loginEvents("login_succeeded")).toHaveLength(1);
});

test("a shared check that fails refuses every request that joined it", async () => {
  const statuses = await statusesOf(basic("admin", "not the password"), 6);

  expect(statuses).toEqual(Array(6).fill(401));
  expect((await loginEvents("login_failed")).length).toBeGreaterThanOrEqual(1);
  // Once the check is over, the next attempt is checked again, not answered from memory.
  expect(await statusesOf(basic("admin", "not the password"), 1)).toEqual([401]);
  expect((await loginEvents("login_failed")).length).toBeGreaterThanOrEqual(2);
});

import type { Db } from "./schema.ts";

/** An upload in progress. */
export interface UploadRecord {
  id: string;
  repository: string;
  size: number;
  createdAt: number;
  updatedAt: number;
}

export async function insertUpload(db: Db, id: string, repository: string, now = Date.now()) {
  await db
    .insertInto("uploads")
    .values({ id, repository, size: 0, created_at: now, updated_at: now })
    .execute();
}

export async function findUpload(db: Db, id: string): Promise<UploadRecord | null> {
  const row = await db.selectFrom("uploads").selectAll().where("id", "=", id).executeTakeFirst();
  return row
    ? {
        id: row.id,
        repository: row.repository,
        size: row.size,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      }
    : null;
}

export async function setUploadSize(db: Db, id: string, size: number, now = Date.now()) {
  await db.updateTable("uploads").set({ size, updated_at: now }).where("id", "=", id).execute();
}

export async function deleteUpload(db: Db, id: string) {
  await db.deleteFrom("uploads").where("id", "=", id).execute();
}

/** Ids of uploads untouched since `before` (milliseconds since the epoch). */
export async function listUploadsIdleSince(db: Db, before: number): Promise<string[]> {
  const rows = await db
    .selectFrom("uploads")
    .select("id")
    .where("updated_at", "<", before)
    .execute();
  return rows.map((row) => row.id);
}

/** Every upload id the database knows. */
export async function listUploadIds(db: Db): Promise<string[]> {
  return (await db.selectFrom("uploads").select("id").execute()).map((row) => row.id);
}

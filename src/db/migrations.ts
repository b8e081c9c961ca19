import registry from "../../migrations/0001_registry.sql" with { type: "text" };
import identity from "../../migrations/0002_identity.sql" with { type: "text" };

/** A numbered schema change, applied once and recorded in schema_migrations. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Every migration in migrations/, in order. They are imported rather than read from disk so
 * that the compiled binary carries them; a test checks this list against the folder.
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "0001_registry", sql: registry },
  { version: 2, name: "0002_identity", sql: identity },
];

import { brokenForeignKeys, countTags, integrityFailures, listDanglingTags } from "../db/fsck.ts";
import type { FsckContext } from "./context.ts";
import { type FsckProblem, problem } from "./problems.ts";

/**
 * The SQLite file is sound, every foreign key finds its row, and every tag points at a
 * manifest of its own repository (the schema cannot say that a tag and its manifest share a
 * repository; if they did not, pulling one repository's tag would serve another's image).
 */
export async function checkDatabase(context: FsckContext) {
  const problems: FsckProblem[] = [];
  for (const line of await integrityFailures(context.db)) {
    problems.push(problem("database-damaged", "database", line));
  }
  for (const broken of await brokenForeignKeys(context.db)) {
    // Dangling tags are reported below, with their names.
    if (broken.table === "tags" && broken.parent === "manifests") continue;
    problems.push(
      problem(
        "reference-broken",
        broken.table,
        `a ${broken.table} row names a ${broken.parent} row that does not exist`,
      ),
    );
  }
  for (const tag of await listDanglingTags(context.db)) {
    problems.push(
      problem(
        "tag-dangling",
        `${tag.repository ?? "repository?"}:${tag.tag}`,
        `tag points at manifest row ${tag.manifest_id}, which is not a manifest of its repository`,
      ),
    );
  }
  return { problems, tags: await countTags(context.db) };
}

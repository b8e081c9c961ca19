import { escapeControlCharacters } from "../../../log/control-characters.ts";
import type { AdminClient } from "../admin-client.ts";
import type { ManifestJson, RepositoryJson, RepositorySummaryJson } from "../admin-shapes.ts";
import { defineCtlCommand } from "../define-command.ts";
import { shortDigest } from "../output/digest.ts";
import { formatSize } from "../output/size.ts";
import { formatTable } from "../output/table.ts";
import { formatTime } from "../output/time.ts";
import { confirmDeletion } from "../terminal.ts";

const NAME = {
  type: "positional",
  required: true,
  description: "Repository name, such as team/app",
} as const;
const YES = { type: "boolean", alias: "y", description: "Do not ask for confirmation" } as const;

/** Every repository, following the API's pages to the end. */
export async function listAllRepositories(client: AdminClient): Promise<RepositorySummaryJson[]> {
  const repositories: RepositorySummaryJson[] = [];
  let last: string | undefined;
  do {
    const page = await client.listRepositories({ pageSize: 1000, last });
    repositories.push(...page.repositories);
    last = page.next_last ?? undefined;
  } while (last);
  return repositories;
}

const listCommand = defineCtlCommand({
  meta: { name: "list", description: "List repositories with their size and last push" },
  async run(_args, { client, out }) {
    const repositories = await listAllRepositories(client);
    out.result({ repositories }, () => {
      if (repositories.length === 0) return "no repositories";
      const now = new Date();
      return formatTable(
        ["NAME", "TAGS", "MANIFESTS", "SIZE", "LAST PUSH"],
        repositories.map((repository) => [
          repository.name,
          String(repository.tag_count),
          String(repository.manifest_count),
          formatSize(repository.total_size),
          repository.last_push ? formatTime(repository.last_push, now) : "never",
        ]),
      );
    });
  },
});

const showCommand = defineCtlCommand({
  meta: { name: "show", description: "Show a repository's tags, manifests, platforms, referrers" },
  args: { name: NAME },
  async run(args, { client, out }) {
    const repository = await client.getRepository(args.name);
    out.result(repository, () => describeRepository(repository, new Date()));
  },
});

const deleteCommand = defineCtlCommand({
  meta: { name: "delete", description: "Delete a repository's tags and manifests" },
  args: { name: NAME, yes: YES },
  async run(args, { client, out }) {
    const repository = await client.getRepository(args.name);
    const contents = `${count(repository.tags.length, "tag")}, ${count(repository.manifests.length, "manifest")}`;
    await confirmDeletion(`repository ${repository.name} (${contents})`, Boolean(args.yes));
    await client.deleteRepository(repository.name);
    out.result(
      { repository: repository.name, deleted: true },
      () =>
        `deleted repository ${repository.name} (${contents}); ` +
        "the next garbage collection frees its blobs",
    );
  },
});

/** `mcr ctl repo`: what is stored, and deleting it. */
export const repoCommand = {
  meta: { name: "repo", description: "List, show and delete repositories" },
  subCommands: { list: listCommand, show: showCommand, delete: deleteCommand },
};

/** A repository's detail as text: its tags, then its manifests with what hangs off them. */
export function describeRepository(repository: RepositoryJson, now: Date): string {
  const sections = [
    `${repository.name}: ${count(repository.tags.length, "tag")}, ` +
      `${count(repository.manifests.length, "manifest")}`,
  ];
  if (repository.tags.length > 0) sections.push(describeTags(repository, now));
  if (repository.manifests.length > 0) {
    const table = formatTable(
      ["DIGEST", "MEDIA TYPE", "SIZE", "CREATED", "TAGS"],
      repository.manifests.map((manifest) => [
        shortDigest(manifest.digest),
        manifest.media_type,
        formatSize(manifest.size),
        formatTime(manifest.created_at, now),
        manifest.tags.join(", ") || "-",
      ]),
    ).split("\n");
    const lines = [table[0] ?? ""];
    repository.manifests.forEach((manifest, index) => {
      lines.push(table[index + 1] ?? "", ...manifestLinks(manifest));
    });
    sections.push(lines.join("\n"));
  }
  return sections.join("\n\n");
}

/** A repository's tags as a table. */
export function describeTags(repository: RepositoryJson, now: Date): string {
  return formatTable(
    ["TAG", "DIGEST", "UPDATED"],
    repository.tags.map((tag) => [
      tag.name,
      shortDigest(tag.digest),
      formatTime(tag.updated_at, now),
    ]),
  );
}

/**
 * The artifact type the server reports for a plain image (its config's media type, as the
 * OCI referrers API defines it); only other types say something worth a line.
 */
const IMAGE_CONFIG = "application/vnd.oci.image.config.v1+json";

/**
 * What a manifest points at and what points at it, as indented lines under its row. The
 * artifact type and platforms are whatever the pusher wrote: a line break in one must not
 * start a line of its own.
 */
function manifestLinks(manifest: ManifestJson): string[] {
  return rawManifestLinks(manifest).map((line) => escapeControlCharacters(line));
}

function rawManifestLinks(manifest: ManifestJson): string[] {
  const lines: string[] = [];
  if (manifest.platforms.length > 0) lines.push(`  platforms: ${manifest.platforms.join(", ")}`);
  if (manifest.artifact_type && manifest.artifact_type !== IMAGE_CONFIG)
    lines.push(`  artifact type: ${manifest.artifact_type}`);
  if (manifest.subject) lines.push(`  subject: ${shortDigest(manifest.subject)}`);
  if (manifest.referrers.length > 0) {
    lines.push(`  referrers: ${manifest.referrers.map(shortDigest).join(", ")}`);
  }
  return lines;
}

/** "1 tag", "3 manifests". */
export function count(amount: number, noun: string): string {
  return `${amount} ${noun}${amount === 1 ? "" : "s"}`;
}

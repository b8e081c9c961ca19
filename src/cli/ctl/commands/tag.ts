import { isTag } from "../../../registry/names.ts";
import { defineCtlCommand } from "../define-command.ts";
import { UsageError } from "../errors.ts";
import { checkedRepositoryName } from "../repository-name.ts";
import { confirmDeletion } from "../terminal.ts";
import { describeTags } from "./repo.ts";

/**
 * A `<repository>:<tag>` reference split at its last colon: repository names may hold a
 * registry port (`host:5000/app`) but a tag never holds a colon or a slash.
 */
export function parseTagReference(text: string): { name: string; tag: string } {
  const colon = text.lastIndexOf(":");
  const name = text.slice(0, colon);
  const tag = text.slice(colon + 1);
  if (colon <= 0 || tag === "" || tag.includes("/")) {
    throw new UsageError(`expected <repository>:<tag>, got ${JSON.stringify(text)}`);
  }
  if (!isTag(tag)) throw new UsageError(`${JSON.stringify(tag)} is not a tag`);
  return { name: checkedRepositoryName(name), tag };
}

const listCommand = defineCtlCommand({
  meta: { name: "list", description: "List a repository's tags and the digests they point at" },
  args: {
    name: { type: "positional", required: true, description: "Repository name, such as team/app" },
  },
  async run(args, { client, out }) {
    const repository = await client.getRepository(args.name);
    out.result({ name: repository.name, tags: repository.tags }, () =>
      repository.tags.length === 0
        ? `${repository.name} has no tags`
        : describeTags(repository, new Date()),
    );
  },
});

const deleteCommand = defineCtlCommand({
  meta: { name: "delete", description: "Delete a tag; the manifest it named stays" },
  args: {
    reference: {
      type: "positional",
      required: true,
      description: "The tag, as <repository>:<tag>",
    },
    yes: { type: "boolean", alias: "y", description: "Do not ask for confirmation" },
  },
  async run(args, { client, out }) {
    const { name, tag } = parseTagReference(args.reference);
    await confirmDeletion(`tag ${name}:${tag}`, Boolean(args.yes));
    await client.deleteTag(name, tag);
    out.result({ repository: name, tag, deleted: true }, () => `deleted tag ${name}:${tag}`);
  },
});

/** `mcr ctl tag`: a repository's tags. */
export const tagCommand = {
  meta: { name: "tag", description: "List and delete tags" },
  subCommands: { list: listCommand, delete: deleteCommand },
};

import { defineCtlCommand } from "../define-command.ts";
import { formatTable } from "../output/table.ts";
import { formatTime } from "../output/time.ts";

const USERNAME = {
  type: "positional",
  required: true,
  description: "The account the token belongs to",
} as const;

/**
 * `token create`: the secret alone goes to standard output, so `$(mcr ctl token create ci)`
 * captures it; its id and expiry go to standard error. It is never shown again.
 */
const createCommand = defineCtlCommand({
  meta: { name: "create", description: "Issue an API token (the secret is shown once)" },
  args: {
    username: USERNAME,
    description: { type: "string", valueHint: "text", description: "What the token is for" },
    ttl: {
      type: "string",
      valueHint: "duration",
      description: "Lifetime such as 90d (default: until revoked)",
    },
  },
  async run(args, { client, out }) {
    const issued = await client.createToken(args.username, {
      description: args.description ?? "",
      ttl: args.ttl || undefined,
    });
    if (!out.json) {
      const until = issued.expires_at ? `expires ${issued.expires_at}` : "never expires";
      out.note(`token ${issued.id} for ${args.username}, ${until}; the secret is shown only once:`);
    }
    out.result(issued, () => issued.token);
  },
});

const listCommand = defineCtlCommand({
  meta: { name: "list", description: "List an account's tokens, without their secrets" },
  args: { username: USERNAME },
  async run(args, { client, out }) {
    const { tokens } = await client.listTokens(args.username);
    out.result({ tokens }, () => {
      if (tokens.length === 0) return `${args.username} has no tokens`;
      const now = new Date();
      return formatTable(
        ["ID", "KIND", "STATE", "CREATED", "EXPIRES", "DESCRIPTION"],
        tokens.map((token) => [
          token.id,
          token.kind,
          token.revoked ? "revoked" : "active",
          formatTime(token.created_at, now),
          token.expires_at ? formatTime(token.expires_at, now) : "never",
          token.description,
        ]),
      );
    });
  },
});

const revokeCommand = defineCtlCommand({
  meta: { name: "revoke", description: "Revoke one of an account's tokens" },
  args: {
    username: USERNAME,
    id: { type: "positional", required: true, description: "Token id, as `token list` shows it" },
  },
  async run(args, { client, out }) {
    await client.revokeToken(args.username, args.id);
    out.result(
      { username: args.username, id: args.id, revoked: true },
      () => `revoked token ${args.id} of ${args.username}`,
    );
  },
});

/** `mcr ctl token`: API tokens of local accounts. */
export const tokenCommand = {
  meta: { name: "token", description: "Issue, list and revoke API tokens" },
  subCommands: { create: createCommand, list: listCommand, revoke: revokeCommand },
};

import { listFlag } from "../argv.ts";
import { defineCtlCommand } from "../define-command.ts";
import { UsageError } from "../errors.ts";
import { formatTable } from "../output/table.ts";
import { formatTime } from "../output/time.ts";
import { readPassword } from "../terminal.ts";

const USERNAME = { type: "positional", required: true, description: "Account name" } as const;
const PASSWORD_STDIN = {
  type: "boolean",
  description: "Read the password from standard input (else asked twice without echo)",
} as const;

const listCommand = defineCtlCommand({
  meta: { name: "list", description: "List local accounts" },
  async run(_args, { client, out }) {
    const { accounts } = await client.listAccounts();
    out.result({ accounts }, () => {
      const now = new Date();
      return formatTable(
        ["USERNAME", "TYPE", "ROLES", "STATE", "CREATED", "ID"],
        accounts.map((account) => [
          account.username,
          account.account_type,
          account.roles.join(",") || "-",
          account.disabled ? "disabled" : "enabled",
          formatTime(account.created_at, now),
          account.id,
        ]),
      );
    });
  },
});

const createCommand = defineCtlCommand({
  meta: {
    name: "create",
    description: "Create an account: a person with a password, or a system account (robot)",
  },
  args: {
    username: USERNAME,
    type: {
      type: "string",
      valueHint: "human|system",
      description: "human (default; needs a password) or system (signs in with API tokens)",
    },
    role: { type: "string", valueHint: "role", description: "A role, such as admin (list)" },
    "password-stdin": PASSWORD_STDIN,
  },
  async run(args, { client, out, tokens }) {
    const type = args.type ?? "human";
    if (type !== "human" && type !== "system") {
      throw new UsageError(`--type must be human or system, got ${JSON.stringify(type)}`);
    }
    const password =
      type === "human"
        ? await readPassword({ fromStdin: Boolean(args["password-stdin"]), confirm: true })
        : undefined;
    const account = await client.createAccount({
      username: args.username,
      account_type: type,
      roles: listFlag(tokens, "role") ?? [],
      password,
    });
    out.result(
      account,
      () => `created ${account.account_type} account ${account.username} (id ${account.id})`,
    );
  },
});

/** `account disable` and `account enable`; disabling revokes the account's tokens. */
function switchCommand(disabled: boolean) {
  const verb = disabled ? "disable" : "enable";
  return defineCtlCommand({
    meta: {
      name: verb,
      description: disabled ? "Disable an account and revoke its tokens" : "Enable an account",
    },
    args: { username: USERNAME },
    async run(args, { client, out }) {
      await client.setAccountDisabled(args.username, disabled);
      out.result(
        { username: args.username, disabled },
        () => `${verb}d account ${args.username}${disabled ? "; its tokens are revoked" : ""}`,
      );
    },
  });
}

const passwdCommand = defineCtlCommand({
  meta: { name: "passwd", description: "Set an account's password; revokes its tokens" },
  args: { username: USERNAME, "password-stdin": PASSWORD_STDIN },
  async run(args, { client, out }) {
    const password = await readPassword({
      fromStdin: Boolean(args["password-stdin"]),
      confirm: true,
      question: `New password for ${args.username}: `,
    });
    await client.setPassword(args.username, password);
    out.result(
      { username: args.username, password_changed: true },
      () => `changed the password of ${args.username}; its tokens are revoked`,
    );
  },
});

/** `mcr ctl account`: local accounts (the local identity provider only). */
export const accountCommand = {
  meta: { name: "account", description: "Manage local accounts" },
  subCommands: {
    list: listCommand,
    create: createCommand,
    disable: switchCommand(true),
    enable: switchCommand(false),
    passwd: passwdCommand,
  },
};

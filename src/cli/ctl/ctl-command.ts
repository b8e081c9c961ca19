import { accountCommand } from "./commands/account.ts";
import { auditCommand } from "./commands/audit.ts";
import { gcCommand } from "./commands/gc.ts";
import { policyCommand } from "./commands/policy.ts";
import { repoCommand } from "./commands/repo.ts";
import { loginCommand, logoutCommand } from "./commands/session.ts";
import { snapshotCommand } from "./commands/snapshot.ts";
import { statusCommand } from "./commands/status.ts";
import { tagCommand } from "./commands/tag.ts";
import { tokenCommand } from "./commands/token.ts";
import { GLOBAL_ARGS } from "./global-args.ts";

/**
 * `mcr ctl`: every operator command, by the words that name it. The global flags are listed
 * here too so that `mcr ctl --help` shows them; each command repeats them in its own usage.
 */
export const ctlCommand = {
  meta: {
    name: "ctl",
    description: "Run the registry from a shell, over the REST API or gRPC",
  },
  args: GLOBAL_ARGS,
  subCommands: {
    login: loginCommand,
    logout: logoutCommand,
    status: statusCommand,
    repo: repoCommand,
    tag: tagCommand,
    policy: policyCommand,
    audit: auditCommand,
    gc: gcCommand,
    snapshot: snapshotCommand,
    account: accountCommand,
    token: tokenCommand,
  },
};

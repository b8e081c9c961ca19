import type { ArgsDef, CommandDef, CommandMeta, ParsedArgs, SubCommandsDef } from "citty";
import type { AdminClient, Connection } from "./admin-client.ts";
import { createAdminClient, resolveConnection } from "./connection.ts";
import { GLOBAL_ARGS } from "./global-args.ts";
import { Output } from "./output/output.ts";
import { SessionStore } from "./sessions.ts";

/** What a command runs with, besides its parsed flags. */
export interface CtlContext {
  connection: Connection;
  client: AdminClient;
  out: Output;
  sessions: SessionStore;
  /** The command's own tokens, for flags that may be repeated (see listFlag). */
  tokens: string[];
}

/** A command's flags together with the global ones. */
export type CtlArgs<T extends ArgsDef> = ParsedArgs<T & typeof GLOBAL_ARGS>;

/**
 * A `mcr ctl` command: citty's command with the global flags added, whose `run` gets the
 * settled connection, a client for its transport and the output. Nothing connects before
 * the first call, so a command that stops on a bad flag touches no server.
 */
export function defineCtlCommand<const T extends ArgsDef>(definition: {
  meta: CommandMeta;
  args?: T;
  /** Commands below this one; `mcr ctl gc status` is below `mcr ctl gc`, which runs too. */
  subCommands?: SubCommandsDef;
  run(args: CtlArgs<T>, context: CtlContext): Promise<void>;
}): CommandDef<T & typeof GLOBAL_ARGS> {
  return {
    meta: definition.meta,
    args: { ...GLOBAL_ARGS, ...definition.args } as T & typeof GLOBAL_ARGS,
    subCommands: definition.subCommands,
    run: async ({ args, rawArgs }) => {
      const sessions = new SessionStore();
      const connection = resolveConnection(args, process.env, sessions);
      await definition.run(args, {
        connection,
        client: createAdminClient(connection),
        out: new Output(Boolean(args.json)),
        sessions,
        tokens: rawArgs,
      });
    },
  };
}

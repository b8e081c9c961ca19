import { createAdminClient } from "../connection.ts";
import { defineCtlCommand } from "../define-command.ts";
import { CtlError, UsageError } from "../errors.ts";
import { absoluteTime } from "../output/time.ts";
import { interactive, promptLine, readPassword } from "../terminal.ts";

/**
 * `mcr ctl login`: opens a session and saves its token for later commands. Prints who and
 * until when, never the token.
 */
export const loginCommand = defineCtlCommand({
  meta: { name: "login", description: "Log in and save the session for later commands" },
  args: {
    username: { type: "string", valueHint: "name", description: "Account name (else asked)" },
    "password-stdin": {
      type: "boolean",
      description: "Read the password from standard input (else asked without echo)",
    },
  },
  async run(args, { connection, client, out, sessions }) {
    const username = args.username || (await askUsername());
    const password = await readPassword({
      fromStdin: Boolean(args["password-stdin"]),
      confirm: false,
    });

    const session = await client.login(username, password).catch((error: unknown) => {
      // Here a refusal means the credentials, not an expired session.
      if (error instanceof CtlError && error.kind === "unauthenticated") {
        throw new CtlError("unauthenticated", error.serverMessage);
      }
      throw error;
    });
    sessions.save(
      {
        server: connection.server,
        token: session.token,
        expires_at: session.expires_at,
        username: session.username,
      },
      connection.transport,
    );

    out.result(
      { server: connection.server, username: session.username, expires_at: session.expires_at },
      () => `logged in as ${session.username} until ${absoluteTime(session.expires_at)}`,
    );
  },
});

/**
 * `mcr ctl logout`: revokes the saved session on the server, then forgets it. A session that
 * had already ended is forgotten all the same. The token revoked is always the saved one,
 * whatever --token or MCR_TOKEN carry: forgetting a session while it stays live would leave a
 * working token in a file the user believes cleared. Without a saved session, the given
 * token is logged out if it is a session token.
 */
export const logoutCommand = defineCtlCommand({
  meta: { name: "logout", description: "End the saved session and delete its token" },
  async run(args, { connection, out, sessions }) {
    const saved = sessions.find(connection.server);
    const given = args.token || process.env.MCR_TOKEN;
    const token = saved?.token ?? given;
    if (!token) throw new CtlError("invalid", `not logged in to ${connection.server}`);

    let ended = "logged out of";
    try {
      await createAdminClient({ ...connection, token }).logout();
    } catch (error) {
      if (!(error instanceof CtlError && error.kind === "unauthenticated")) throw error;
      if (!saved) {
        throw new CtlError(
          "invalid",
          `no saved session for ${connection.server}, and the token given is not a live ` +
            "session token (API tokens are revoked with `mcr ctl token revoke`)",
        );
      }
      ended = "the session had already ended; forgot it for";
    }
    sessions.remove(connection.server);

    out.result(
      { server: connection.server, logged_out: true },
      () => `${ended} ${connection.server}`,
    );
  },
});

async function askUsername(): Promise<string> {
  if (!interactive()) throw new UsageError("no terminal to ask on: pass --username");
  const username = (await promptLine("Username: ")).trim();
  if (username === "") throw new UsageError("the username is empty");
  return username;
}

import { createInterface } from "node:readline";
import { CtlError, UsageError } from "./errors.ts";

/** Whether a person can answer questions: standard input is a terminal. */
export function interactive(): boolean {
  return Boolean(process.stdin.isTTY);
}

/** Asks a question on standard error and reads the answer line from the terminal. */
export async function promptLine(question: string): Promise<string> {
  const reader = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await new Promise<string>((resolve) => reader.question(question, resolve));
  } finally {
    reader.close();
  }
}

/**
 * Reads a secret from the terminal without showing it: raw mode, so no character is echoed,
 * with Backspace honoured and Ctrl-C ending the command.
 */
export function promptSecret(question: string): Promise<string> {
  const stdin = process.stdin;
  // Echo goes off before the question shows, so nothing typed right after it is echoed.
  stdin.setRawMode(true);
  process.stderr.write(question);
  stdin.resume();
  return new Promise((resolve) => {
    let secret = "";
    const finish = (exitCode?: number) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (exitCode !== undefined) process.exit(exitCode);
      resolve(secret);
    };
    const onData = (chunk: Buffer) => {
      for (const character of chunk.toString("utf8")) {
        if (character === "\r" || character === "\n" || character === "\u0004") return finish();
        if (character === "\u0003") return finish(130);
        if (character === "\u007f" || character === "\b") secret = secret.slice(0, -1);
        else secret += character;
      }
    };
    stdin.on("data", onData);
  });
}

/**
 * A secret for `--password-stdin`: everything on standard input but the final line break,
 * so `echo "$PASSWORD" | mcr ctl login --password-stdin` works and spaces inside are kept.
 */
export async function readStdinSecret(): Promise<string> {
  const text = await new Response(Bun.stdin.stream()).text();
  const secret = text.replace(/\r?\n$/, "");
  if (secret === "") throw new UsageError("--password-stdin read nothing from standard input");
  return secret;
}

/**
 * A password from standard input (`--password-stdin`) or, on a terminal, typed twice
 * without echo when `confirm` is set; refused when neither is possible.
 */
export async function readPassword(options: {
  fromStdin: boolean;
  confirm: boolean;
  question?: string;
}): Promise<string> {
  if (options.fromStdin) return readStdinSecret();
  if (!interactive()) {
    throw new UsageError("no terminal to ask for the password on: pass --password-stdin");
  }
  const password = await promptSecret(options.question ?? "Password: ");
  if (password === "") throw new UsageError("the password is empty");
  if (options.confirm && (await promptSecret("Repeat the password: ")) !== password) {
    throw new CtlError("invalid", "the two passwords differ; nothing was changed");
  }
  return password;
}

/**
 * Asks before a destructive change. With --yes it goes ahead; on a terminal it asks and
 * goes ahead only on "y" or "yes"; otherwise it refuses, because a script that deletes must
 * say so with --yes.
 */
export async function confirmDeletion(what: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!interactive()) {
    throw new CtlError("invalid", `not deleting ${what} without confirmation: pass --yes`);
  }
  const answer = await promptLine(`Delete ${what}? [y/N] `);
  if (!/^y(es)?$/i.test(answer.trim())) throw new CtlError("invalid", "nothing was deleted");
}

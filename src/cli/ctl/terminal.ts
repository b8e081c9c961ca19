import { createInterface } from "node:readline";
import { escapeControlCharacters } from "../../log/control-characters.ts";
import { CtlError, UsageError } from "./errors.ts";

/** Whether a person can answer questions: standard input is a terminal. */
export function interactive(): boolean {
  return Boolean(process.stdin.isTTY);
}

/** Exit code of a command stopped with Ctrl-C: 128 + SIGINT, as shells report it. */
const INTERRUPTED = 130;

/** What an answer cut off by end of input (Ctrl-D) ends the command with. */
function aborted(): CtlError {
  return new CtlError("invalid", "aborted: no answer was given");
}

/**
 * Asks a question on standard error and reads the answer line from the terminal. Ctrl-D
 * (end of input) before an answer fails with "aborted"; Ctrl-C ends the command with exit
 * code 130, after readline has given the terminal back its echo.
 */
export async function promptLine(question: string): Promise<string> {
  const reader = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await new Promise<string>((resolve, reject) => {
      // readline reads Ctrl-C itself on a terminal; without this listener it only pauses.
      reader.on("SIGINT", () => {
        reader.close();
        process.stderr.write("\n");
        process.exit(INTERRUPTED);
      });
      let answered = false;
      reader.question(question, (answer) => {
        answered = true;
        resolve(answer);
      });
      // Closed before an answer: end of input (Ctrl-D).
      reader.on("close", () => {
        if (answered) return;
        process.stderr.write("\n");
        reject(aborted());
      });
    });
  } finally {
    reader.close();
  }
}

/**
 * Reads a secret from the terminal without showing it: raw mode, so no character is echoed,
 * with Backspace honoured. Ctrl-C ends the command (exit 130) and Ctrl-D or the end of input
 * fails with "aborted"; either way the terminal gets its echo back first.
 */
export function promptSecret(question: string): Promise<string> {
  const stdin = process.stdin;
  // Echo goes off before the question shows, so nothing typed right after it is echoed.
  stdin.setRawMode(true);
  process.stderr.write(question);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let secret = "";
    const restoreTerminal = () => {
      stdin.off("data", onData);
      stdin.off("end", onEnd);
      process.off("SIGINT", onInterrupt);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    const onInterrupt = () => {
      restoreTerminal();
      process.exit(INTERRUPTED);
    };
    const onEnd = () => {
      restoreTerminal();
      reject(aborted());
    };
    const onData = (chunk: Buffer) => {
      for (const character of chunk.toString("utf8")) {
        if (character === "\r" || character === "\n") {
          restoreTerminal();
          return resolve(secret);
        }
        if (character === "\u0003") return onInterrupt();
        if (character === "\u0004") return onEnd();
        if (character === "\u007f" || character === "\b") secret = secret.slice(0, -1);
        else secret += character;
      }
    };
    stdin.on("data", onData);
    stdin.on("end", onEnd);
    // A SIGINT sent from elsewhere (kill -INT) must not leave the terminal without echo.
    process.on("SIGINT", onInterrupt);
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
  const answer = await promptLine(`Delete ${escapeControlCharacters(what)}? [y/N] `);
  if (!/^y(es)?$/i.test(answer.trim())) throw new CtlError("invalid", "nothing was deleted");
}

import { escapeControlCharacters } from "../../../log/control-characters.ts";

/**
 * Where a command's result goes. With --json, standard output gets exactly one JSON
 * document and nothing else, so scripts can parse it; without, it gets text for people.
 * Notes (progress, warnings, "shown only once") always go to standard error.
 *
 * Text for people carries strings the server sent (names, audit details); a control
 * character in one would act on the terminal, so every control character but the line
 * breaks the command itself put there is written escaped. JSON is written exactly.
 */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: { write(text: string): unknown } = process.stdout,
    private readonly stderr: { write(text: string): unknown } = process.stderr,
  ) {}

  /** The command's result: `document` with --json, else the text `human` renders. */
  result(document: unknown, human: () => string): void {
    const text = this.json ? JSON.stringify(document, null, 2) : forTerminal(human());
    if (text !== "") this.stdout.write(`${text}\n`);
  }

  /**
   * One item of an endless result (`audit tail --follow`): with --json a compact JSON
   * object on one line (JSON Lines), so a reader can act on each as it comes.
   */
  item(document: unknown, human: () => string): void {
    this.stdout.write(`${this.json ? JSON.stringify(document) : forTerminal(human())}\n`);
  }

  /** A line for people that is not the result; never mixed into the JSON. */
  note(text: string): void {
    this.stderr.write(`${forTerminal(text)}\n`);
  }
}

/** Text for people with every control character escaped except the line feeds. */
function forTerminal(text: string): string {
  return escapeControlCharacters(text, true);
}

/**
 * Where a command's result goes. With --json, standard output gets exactly one JSON
 * document and nothing else, so scripts can parse it; without, it gets text for people.
 * Notes (progress, warnings, "shown only once") always go to standard error.
 */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: { write(text: string): unknown } = process.stdout,
    private readonly stderr: { write(text: string): unknown } = process.stderr,
  ) {}

  /** The command's result: `document` with --json, else the text `human` renders. */
  result(document: unknown, human: () => string): void {
    const text = this.json ? JSON.stringify(document, null, 2) : human();
    if (text !== "") this.stdout.write(`${text}\n`);
  }

  /**
   * One item of an endless result (`audit tail --follow`): with --json a compact JSON
   * object on one line (JSON Lines), so a reader can act on each as it comes.
   */
  item(document: unknown, human: () => string): void {
    this.stdout.write(`${this.json ? JSON.stringify(document) : human()}\n`);
  }

  /** A line for people that is not the result; never mixed into the JSON. */
  note(text: string): void {
    this.stderr.write(`${text}\n`);
  }
}

/**
 * What `mcr init` did, one line per thing it looked at, on standard error. It remembers
 * whether anything was made, so that a re-run can say plainly that it changed nothing.
 */
export class InitReport {
  #changed = false;

  /** Something that did not exist and now does. */
  created(what: string): void {
    this.#changed = true;
    this.#write(`created ${what}`);
  }

  /** Something that existed and was brought up to date (a database migration). */
  updated(what: string): void {
    this.#changed = true;
    this.#write(`updated ${what}`);
  }

  /** Something that existed and was left exactly as it was. */
  kept(what: string): void {
    this.#write(`kept ${what}: it exists`);
  }

  /** Something the operator should know or do. */
  note(text: string): void {
    this.#write(text);
  }

  get changed(): boolean {
    return this.#changed;
  }

  #write(line: string): void {
    process.stderr.write(`mcr init: ${line}\n`);
  }
}

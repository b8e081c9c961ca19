/** What a load run counted: requests, operations by kind, and every failure. */
export class LoadStats {
  /** HTTP requests answered (whatever the status), from the first to the last worker. */
  requests = 0;
  /** Requests that failed below HTTP: refused or reset connections, client-side errors. */
  networkErrors = 0;
  readonly operations = new Map<string, { done: number; failed: number }>();
  /** The first failures in full, so a broken run says what broke without a flood. */
  readonly failureSamples: string[] = [];
  failures = 0;
  readonly #latenciesMs: number[] = [];

  /** Records one answered request and how long it took. */
  request(milliseconds: number): void {
    this.requests++;
    // Every request until a million, then a sample: a long run must not grow the client.
    if (this.#latenciesMs.length < 1_000_000) this.#latenciesMs.push(milliseconds);
  }

  /** Records an operation that did all it should. */
  succeeded(operation: string): void {
    this.#entry(operation).done++;
  }

  /** Records an operation that got an unexpected answer or none. */
  failed(operation: string, error: unknown): void {
    this.#entry(operation).failed++;
    this.failures++;
    const message = error instanceof Error ? error.message : String(error);
    if (this.failureSamples.length < 20) this.failureSamples.push(`${operation}: ${message}`);
  }

  /** The latency below which `fraction` of the requests were answered, in milliseconds. */
  latencyPercentile(fraction: number): number {
    const sorted = [...this.#latenciesMs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
  }

  #entry(operation: string) {
    let entry = this.operations.get(operation);
    if (!entry) {
      entry = { done: 0, failed: 0 };
      this.operations.set(operation, entry);
    }
    return entry;
  }
}

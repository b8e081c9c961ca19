import { readFileSync } from "node:fs";

/** Resident memory of a process in MiB, from /proc. */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every 50 ms and keeps the peak until stopped. */
export class RssSampler {
  #peak = 0;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(private readonly pid: number) {
    this.#peak = rssMiB(pid);
    this.#timer = setInterval(() => this.#sample(), 50);
  }

  #sample() {
    this.#peak = Math.max(this.#peak, rssMiB(this.pid));
  }

  /** Stops sampling; returns the peak seen. */
  stop(): number {
    clearInterval(this.#timer);
    this.#sample();
    return this.#peak;
  }
}

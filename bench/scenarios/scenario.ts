import type { BenchServer } from "../lib/servers.ts";

/** One measured value of a run. */
export interface Measurement {
  /** The table row, e.g. "push 1 GiB, one PUT". */
  row: string;
  value: number;
  unit: string;
  /** Whether a larger value is the better one (throughput) or the smaller (time). */
  better: "higher" | "lower";
}

/** A benchmark run against one server on fresh storage. */
export interface Scenario {
  name: string;
  /** Alternating rounds per server; large setups use fewer. */
  rounds: number;
  run(server: BenchServer): Promise<Measurement[]>;
}

export const MIB = 1024 * 1024;

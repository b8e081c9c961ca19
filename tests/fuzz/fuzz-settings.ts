/**
 * How many cases each property tries, and how to replay a failure.
 *
 * - `MCR_FUZZ_RUNS=2000 bun test tests/fuzz` multiplies the work for a long manual run; the
 *   default keeps the whole folder well under 30 s.
 * - A failing property prints `seed: <n>, path: "<p>"`; `MCR_FUZZ_SEED=<n> MCR_FUZZ_PATH=<p>`
 *   replays exactly that counterexample.
 */
import fc from "fast-check";

const RUNS = positiveInteger(process.env.MCR_FUZZ_RUNS);
const SEED = integer(process.env.MCR_FUZZ_SEED);
const PATH = process.env.MCR_FUZZ_PATH || undefined;

/** The runs a property gets by default, and the runs MCR_FUZZ_RUNS asked for instead. */
export function runsFor(defaultRuns: number): number {
  return RUNS ?? defaultRuns;
}

/** A test timeout that grows with the runs asked for, so a long manual run is not cut short. */
export function timeoutFor(defaultRuns: number, defaultMs = 20_000): number {
  return Math.max(defaultMs, Math.ceil((defaultMs * runsFor(defaultRuns)) / defaultRuns));
}

/**
 * Checks an async property with the folder's settings. The seed is fixed when MCR_FUZZ_SEED
 * is set, and always printed in the failure so a red run can be replayed.
 */
export async function checkProperty<T>(
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<void>,
  defaultRuns: number,
): Promise<void> {
  const parameters: fc.Parameters<[T]> = { numRuns: runsFor(defaultRuns) };
  if (SEED !== undefined) parameters.seed = SEED;
  if (PATH !== undefined) parameters.path = PATH;
  await fc.assert(fc.asyncProperty(arbitrary, predicate), parameters);
}

function positiveInteger(text: string | undefined): number | undefined {
  const value = integer(text);
  return value !== undefined && value > 0 ? value : undefined;
}

function integer(text: string | undefined): number | undefined {
  if (!text || !/^-?\d+$/.test(text)) return undefined;
  return Number(text);
}

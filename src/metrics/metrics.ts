/**
 * Prometheus metrics in the text exposition format, kept by hand: a few counters and one
 * histogram need no library, and recording is a map lookup on the request path.
 */

type Labels = Record<string, string>;

const NEEDS_ESCAPE = /[\\"\n]/;

/** The label set as Prometheus writes it; hot paths keep their series instead of calling this. */
function key(labels: Labels): string {
  let id = "";
  for (const name in labels) {
    const value = labels[name] as string;
    const text = NEEDS_ESCAPE.test(value)
      ? value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")
      : value;
    id += `${id ? "," : ""}${name}="${text}"`;
  }
  return id;
}

/** One label set's count; held by whoever adds to it often, so its key is built once. */
export interface CounterSeries {
  value: number;
}

/** A monotonically growing count, per label set. */
export class Counter {
  readonly #values = new Map<string, CounterSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  add(labels: Labels = {}, amount = 1): void {
    this.series(labels).value += amount;
  }

  /** The count of one label set, created at zero: callers on a hot path keep it. */
  series(labels: Labels): CounterSeries {
    const id = key(labels);
    let series = this.#values.get(id);
    if (!series) {
      series = { value: 0 };
      this.#values.set(id, series);
    }
    return series;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [id, series] of this.#values)
      lines.push(`${this.name}${id ? `{${id}}` : ""} ${series.value}`);
    return lines.join("\n");
  }
}

/** One label set's observations, sorted into the histogram's cumulative buckets. */
export class HistogramSeries {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] as number)) this.counts[i] = (this.counts[i] ?? 0) + 1;
    }
    this.sum += value;
    this.count++;
  }
}

/** Observations sorted into cumulative buckets, per label set. */
export class Histogram {
  readonly #series = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    this.series(labels).observe(value);
  }

  /** The observations of one label set, created empty: callers on a hot path keep it. */
  series(labels: Labels): HistogramSeries {
    const id = key(labels);
    let series = this.#series.get(id);
    if (!series) {
      series = new HistogramSeries(this.buckets);
      this.#series.set(id, series);
    }
    return series;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [id, series] of this.#series) {
      const prefix = id ? `${id},` : "";
      this.buckets.forEach((bound, i) => {
        lines.push(`${this.name}_bucket{${prefix}le="${bound}"} ${series.counts[i]}`);
      });
      lines.push(`${this.name}_bucket{${prefix}le="+Inf"} ${series.count}`);
      lines.push(`${this.name}_sum${id ? `{${id}}` : ""} ${series.sum}`);
      lines.push(`${this.name}_count${id ? `{${id}}` : ""} ${series.count}`);
    }
    return lines.join("\n");
  }
}

/** A value read when scraped: a gauge, or a counter kept elsewhere (since start-up). */
export interface Gauge {
  name: string;
  help: string;
  type?: "gauge" | "counter";
  read(): Promise<number> | number;
}

export async function renderGauge(gauge: Gauge): Promise<string> {
  const type = gauge.type ?? "gauge";
  return `# HELP ${gauge.name} ${gauge.help}\n# TYPE ${gauge.name} ${type}\n${gauge.name} ${await gauge.read()}`;
}

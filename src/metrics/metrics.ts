/**
 * Prometheus metrics in the text exposition format, kept by hand: a few counters and one
 * histogram need no library, and recording is a map lookup on the request path.
 */

type Labels = Record<string, string>;

const NEEDS_ESCAPE = /[\\"\n]/;

/** The label set as Prometheus writes it; on every request, so without a regex when it can. */
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

/** A monotonically growing count, per label set. */
export class Counter {
  readonly #values = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  add(labels: Labels = {}, amount = 1): void {
    const id = key(labels);
    this.#values.set(id, (this.#values.get(id) ?? 0) + amount);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [id, value] of this.#values)
      lines.push(`${this.name}${id ? `{${id}}` : ""} ${value}`);
    return lines.join("\n");
  }
}

/** Observations sorted into cumulative buckets, per label set. */
export class Histogram {
  readonly #series = new Map<string, { counts: number[]; sum: number; count: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const id = key(labels);
    let series = this.#series.get(id);
    if (!series) {
      series = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(id, series);
    }
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] as number)) series.counts[i] = (series.counts[i] ?? 0) + 1;
    }
    series.sum += value;
    series.count++;
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

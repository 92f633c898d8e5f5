// Counters and a histogram for the request path, exported through prom-client's registry. A
// prom-client child still hashes and validates its labels on every `inc` and `observe` (a few
// microseconds a request on this machine kind); these keep one object per label set, made once,
// whose increments are plain additions, and give the registry prom-client's own shape when it
// is scraped (`get()`), so the text format, HELP/TYPE lines and escaping stay prom-client's.
type Labels = Record<string, string>;
type Value = { labels: Labels; value: number; metricName?: string };

export type FastCounterChild = { value: number; inc(): void };

export class FastCounter {
  readonly type = "counter";
  readonly aggregator = "sum";
  private readonly children = new Map<string, FastCounterChild & { labels: Labels }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
  ) {}

  /** The series of these label values (in labelNames' order), made on first use. */
  child(...values: string[]): FastCounterChild {
    const key = values.join("\u0000");
    let child = this.children.get(key);
    if (!child) {
      const labels = Object.fromEntries(this.labelNames.map((name, i) => [name, values[i] ?? ""]));
      child = {
        labels,
        value: 0,
        inc() {
          this.value += 1;
        },
      };
      this.children.set(key, child);
    }
    return child;
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: Value[] } {
    const values = [...this.children.values()].map(({ labels, value }) => ({ labels, value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export type FastHistogramChild = { observe(value: number): void };

export class FastHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly children = new Map<string, { labels: Labels; counts: Float64Array; sum: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly buckets: readonly number[],
  ) {}

  child(...values: string[]): FastHistogramChild {
    const key = values.join("\u0000");
    let series = this.children.get(key);
    if (!series) {
      const labels = Object.fromEntries(this.labelNames.map((name, i) => [name, values[i] ?? ""]));
      // One slot per bucket and a last one for values above every bucket (+Inf).
      series = { labels, counts: new Float64Array(this.buckets.length + 1), sum: 0 };
      this.children.set(key, series);
    }
    const { buckets } = this;
    const target = series;
    return {
      observe(value: number) {
        let i = 0;
        while (i < buckets.length && value > buckets[i]!) i++;
        target.counts[i]! += 1;
        target.sum += value;
      },
    };
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: Value[] } {
    const values: Value[] = [];
    for (const { labels, counts, sum } of this.children.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += counts[i]!;
        values.push({
          labels: { le: String(bound), ...labels },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        });
      });
      cumulative += counts[this.buckets.length]!;
      values.push({
        labels: { le: "+Inf", ...labels },
        value: cumulative,
        metricName: `${this.name}_bucket`,
      });
      values.push({ labels, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: cumulative, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

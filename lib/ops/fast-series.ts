// Counters and a histogram for the request path, exported through prom-client's registry. A
// prom-client child still hashes and validates its labels on every `inc` and `observe` (a few
// microseconds a request on this machine kind); these keep one object per label set, made once,
// whose increments are plain additions, and give the registry prom-client's own shape when it
// is scraped (`get()`), so the text format, HELP/TYPE lines and escaping stay prom-client's.
type Labels = Record<string, string>;
type Value = { labels: Labels; value: number; metricName?: string };

type Scraped = { name: string; help: string; type: string; aggregator: string; values: Value[] };

/** What both kinds share: a name, help, label names, and one series per label set, made on first use. */
abstract class FastSeries<S extends { labels: Labels }> {
  abstract readonly type: string;
  readonly aggregator = "sum";
  protected readonly series = new Map<string, S>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
  ) {}

  /** The series of these label values (in labelNames' order), made by `make` the first time. */
  protected seriesOf(values: string[], make: (labels: Labels) => S): S {
    const key = values.join("\u0000");
    let found = this.series.get(key);
    if (!found) {
      found = make(Object.fromEntries(this.labelNames.map((name, i) => [name, values[i] ?? ""])));
      this.series.set(key, found);
    }
    return found;
  }

  protected scraped(values: Value[]): Scraped {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export type FastCounterChild = { value: number; inc(): void };

export class FastCounter extends FastSeries<FastCounterChild & { labels: Labels }> {
  readonly type = "counter";

  child(...values: string[]): FastCounterChild {
    return this.seriesOf(values, (labels) => ({
      labels,
      value: 0,
      inc() {
        this.value += 1;
      },
    }));
  }

  get(): Scraped {
    return this.scraped([...this.series.values()].map(({ labels, value }) => ({ labels, value })));
  }
}

export type FastHistogramChild = { observe(value: number): void };

type HistogramSeries = { labels: Labels; counts: Float64Array; sum: number };

export class FastHistogram extends FastSeries<HistogramSeries> {
  readonly type = "histogram";

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames);
  }

  child(...values: string[]): FastHistogramChild {
    // One slot per bucket and a last one for values above every bucket (+Inf).
    const target = this.seriesOf(values, (labels) => ({
      labels,
      counts: new Float64Array(this.buckets.length + 1),
      sum: 0,
    }));
    const { buckets } = this;
    return {
      observe(value: number) {
        let i = 0;
        while (i < buckets.length && value > buckets[i]!) i++;
        target.counts[i]! += 1;
        target.sum += value;
      },
    };
  }

  get(): Scraped {
    const values: Value[] = [];
    for (const { labels, counts, sum } of this.series.values()) {
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
    return this.scraped(values);
  }
}

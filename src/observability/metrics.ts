/**
 * A small metrics registry that renders the Prometheus text exposition format, version 0.0.4.
 * It contains counters and histograms with a fixed set of label names each; every distinct
 * combination of label values is one series, created on first use.
 *
 * Label values must come from a small, known set (route patterns, statuses, tenant ids):
 * never put a raw path, a token or a client-supplied string in a label.
 */

export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels<Name extends string> = { readonly [K in Name]: string };

interface Metric {
  readonly name: string;
  /** The metric's lines, `# HELP` and `# TYPE` included. */
  render(): string[];
}

/** A value that only goes up, such as the number of challenges created. */
export class Counter<Name extends string = never> implements Metric {
  private readonly series = new Map<string, { labels: Labels<Name>; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly Name[],
  ) {
    checkMetricName(name, labelNames);
  }

  /** Adds `amount` (default 1, never negative) to the series named by `labels`. */
  inc(labels: Labels<Name>, amount = 1): void {
    if (!(amount >= 0)) throw new RangeError(`${this.name}: a counter only goes up, got ${amount}`);
    const key = seriesKey(this.labelNames, labels);
    const entry = this.series.get(key);
    if (entry) entry.value += amount;
    else this.series.set(key, { labels: { ...labels }, value: amount });
  }

  /** Returns the current value of one series; 0 when it was never incremented. */
  get(labels: Labels<Name>): number {
    return this.series.get(seriesKey(this.labelNames, labels))?.value ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.series.values()) {
      lines.push(`${this.name}${formatLabels(this.labelNames, labels)} ${formatNumber(value)}`);
    }
    return lines;
  }
}

/** Latency-style buckets in seconds, from 5 ms to 10 s. */
export const defaultDurationBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** Counts observations into cumulative buckets, with their sum and count. */
export class Histogram<Name extends string = never> implements Metric {
  private readonly series = new Map<string, { labels: Labels<Name>; buckets: number[]; sum: number; count: number }>();
  readonly buckets: readonly number[];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly Name[],
    buckets: readonly number[] = defaultDurationBucketsSeconds,
  ) {
    checkMetricName(name, [...labelNames, 'le']);
    if (buckets.length === 0 || buckets.some((bound, index) => index > 0 && bound <= (buckets[index - 1] as number))) {
      throw new RangeError(`${name}: buckets must be a non-empty, strictly increasing list`);
    }
    this.buckets = [...buckets];
  }

  /** Records one observation, for example a duration in seconds. */
  observe(labels: Labels<Name>, value: number): void {
    const key = seriesKey(this.labelNames, labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels: { ...labels }, buckets: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    // Each bucket counts only the observations up to its bound here; render() accumulates them.
    const index = this.buckets.findIndex((bound) => value <= bound);
    if (index >= 0) entry.buckets[index] = (entry.buckets[index] as number) + 1;
    entry.sum += value;
    entry.count += 1;
  }

  /** Returns the number of observations in one series; 0 when there were none. */
  count(labels: Labels<Name>): number {
    return this.series.get(seriesKey(this.labelNames, labels))?.count ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} histogram`];
    for (const { labels, buckets, sum, count } of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, index) => {
        cumulative += buckets[index] as number;
        lines.push(`${this.name}_bucket${formatLabels(this.labelNames, labels, formatNumber(bound))} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${formatLabels(this.labelNames, labels, '+Inf')} ${count}`);
      lines.push(`${this.name}_sum${formatLabels(this.labelNames, labels)} ${formatNumber(sum)}`);
      lines.push(`${this.name}_count${formatLabels(this.labelNames, labels)} ${count}`);
    }
    return lines;
  }
}

/** Holds metrics under unique names and renders them all for a scrape. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  counter<Name extends string = never>(name: string, help: string, labelNames: readonly Name[] = []): Counter<Name> {
    return this.register(new Counter(name, help, labelNames));
  }

  histogram<Name extends string = never>(name: string, help: string, labelNames: readonly Name[] = [], buckets?: readonly number[]): Histogram<Name> {
    return this.register(new Histogram(name, help, labelNames, buckets));
  }

  /** Renders every metric in registration order, ending with a newline. */
  render(): string {
    const lines: string[] = [];
    for (const metric of this.metrics.values()) lines.push(...metric.render());
    return lines.join('\n') + '\n';
  }

  private register<M extends Metric>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} is already registered`);
    this.metrics.set(metric.name, metric);
    return metric;
  }
}

const metricNamePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function checkMetricName(name: string, labelNames: readonly string[]): void {
  if (!metricNamePattern.test(name)) throw new Error(`invalid metric name: ${name}`);
  for (const label of labelNames) {
    if (!labelNamePattern.test(label) || label.startsWith('__')) throw new Error(`${name}: invalid label name ${label}`);
  }
  if (new Set(labelNames).size !== labelNames.length) throw new Error(`${name}: label names repeat`);
}

function seriesKey<Name extends string>(labelNames: readonly Name[], labels: Labels<Name>): string {
  return labelNames.map((name) => labels[name]).join('\u0000');
}

function formatLabels<Name extends string>(labelNames: readonly Name[], labels: Labels<Name>, le?: string): string {
  const pairs = labelNames.map((name) => `${name}="${escapeLabelValue(String(labels[name]))}"`);
  if (le !== undefined) pairs.push(`le="${le}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/** Escapes backslash, double quote and line feed, as the text format requires in label values. */
function escapeLabelValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/** Escapes backslash and line feed, the only escapes HELP text has. */
function escapeHelp(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

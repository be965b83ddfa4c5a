import { describe, expect, test } from 'bun:test';
import { Counter, Histogram, MetricsRegistry, prometheusContentType } from '../../src/observability/metrics.ts';

describe('Counter', () => {
  test('renders help, type and series', () => {
    const counter = new Counter('jobs_total', 'Jobs run.', ['queue']);
    counter.inc({ queue: 'mail' });
    counter.inc({ queue: 'mail' }, 2);
    counter.inc({ queue: 'sms' });

    const lines = counter.render();
    expect(lines[0]).toBe('# HELP jobs_total Jobs run.');
    expect(lines[1]).toBe('# TYPE jobs_total counter');
    expect(lines).toContain('jobs_total{queue="mail"} 3');
    expect(lines).toContain('jobs_total{queue="sms"} 1');
    expect(counter.get({ queue: 'mail' })).toBe(3);
    expect(counter.get({ queue: 'push' })).toBe(0);
  });

  test('renders no braces without labels', () => {
    const counter = new Counter('restarts_total', 'Restarts.', []);
    counter.inc({});

    expect(counter.render()).toContain('restarts_total 1');
  });

  test('escapes label values', () => {
    const counter = new Counter('odd_total', 'Odd labels.', ['value']);
    counter.inc({ value: 'a"b\\c\nd' });

    expect(counter.render()).toContain('odd_total{value="a\\"b\\\\c\\nd"} 1');
  });

  test('rejects negative increments', () => {
    const counter = new Counter('down_total', 'Never down.', []);

    expect(() => counter.inc({}, -1)).toThrow(RangeError);
    expect(() => counter.inc({}, Number.NaN)).toThrow(RangeError);
  });

  test('rejects invalid names', () => {
    expect(() => new Counter('bad-name', 'x', [])).toThrow('invalid metric name');
    expect(() => new Counter('ok_total', 'x', ['__reserved'])).toThrow('invalid label name');
    expect(() => new Counter('ok_total', 'x', ['a', 'a'])).toThrow('label names repeat');
  });
});

describe('Histogram', () => {
  test('renders cumulative buckets, sum and count', () => {
    const histogram = new Histogram('wait_seconds', 'Waits.', ['kind'], [0.1, 1]);
    histogram.observe({ kind: 'a' }, 0.05);
    histogram.observe({ kind: 'a' }, 0.1);
    histogram.observe({ kind: 'a' }, 0.5);
    histogram.observe({ kind: 'a' }, 3);

    const lines = histogram.render();
    expect(lines[1]).toBe('# TYPE wait_seconds histogram');
    expect(lines).toContain('wait_seconds_bucket{kind="a",le="0.1"} 2');
    expect(lines).toContain('wait_seconds_bucket{kind="a",le="1"} 3');
    expect(lines).toContain('wait_seconds_bucket{kind="a",le="+Inf"} 4');
    expect(lines).toContain('wait_seconds_sum{kind="a"} 3.65');
    expect(lines).toContain('wait_seconds_count{kind="a"} 4');
    expect(histogram.count({ kind: 'a' })).toBe(4);
  });

  test('rejects unsorted buckets', () => {
    expect(() => new Histogram('h_seconds', 'x', [], [1, 0.5])).toThrow('strictly increasing');
    expect(() => new Histogram('h_seconds', 'x', [], [])).toThrow('non-empty');
  });

  test('rejects a label named le', () => {
    expect(() => new Histogram('h_seconds', 'x', ['le'])).toThrow('label names repeat');
  });
});

describe('MetricsRegistry', () => {
  test('renders metrics in order with final newline', () => {
    const registry = new MetricsRegistry();
    registry.counter('first_total', 'First.').inc({});
    registry.histogram('second_seconds', 'Second.', [], [1]).observe({}, 2);

    const text = registry.render();
    expect(text.endsWith('\n')).toBe(true);
    expect(text.indexOf('first_total')).toBeLessThan(text.indexOf('second_seconds'));
    expect(text).toContain('second_seconds_bucket{le="1"} 0\n');
    expect(text).toContain('second_seconds_bucket{le="+Inf"} 1\n');
  });

  test('rejects duplicate names', () => {
    const registry = new MetricsRegistry();
    registry.counter('same_total', 'Same.');

    expect(() => registry.counter('same_total', 'Again.')).toThrow('already registered');
  });

  test('content type is text format 0.0.4', () => {
    expect(prometheusContentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });
});

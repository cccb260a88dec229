import { describe, expect, it } from 'vitest';
import { AppMetrics } from '../../src/sim/app-metrics.ts';
import { parsePromText, parsePromValue, PromTextError } from '../../src/signals/prom-text.ts';

describe('parsePromText', () => {
  it('reads samples and skips comments, HELP and TYPE lines', () => {
    const text = [
      '# HELP http_requests_total Total requests.',
      '# TYPE http_requests_total counter',
      '# a free comment',
      '',
      'http_requests_total{status="200"} 1027',
      'http_requests_total{method="POST",status="500"} 3 1395066363000',
      'up 1',
    ].join('\n');
    expect(parsePromText(text)).toEqual([
      { name: 'http_requests_total', labels: { status: '200' }, value: 1027 },
      { name: 'http_requests_total', labels: { method: 'POST', status: '500' }, value: 3, timestampMs: 1395066363000 },
      { name: 'up', labels: {}, value: 1 },
    ]);
  });

  it('unescapes label values: \\\\, \\" and \\n', () => {
    const [sample] = parsePromText('msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9');
    expect(sample?.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(sample?.value).toBe(1.458255915e9);
  });

  it('reads +Inf buckets, NaN, -Inf, empty label sets, trailing commas and tabs', () => {
    const samples = parsePromText('h_bucket{le="+Inf"} 7\nnan_metric NaN\nneg -Inf\nempty{} 2\ntrail{a="1",} 3\ntabs\t4\t-5');
    expect(samples.map((s) => [s.name, s.labels, s.value, s.timestampMs])).toEqual([
      ['h_bucket', { le: '+Inf' }, 7, undefined],
      ['nan_metric', {}, Number.NaN, undefined],
      ['neg', {}, Number.NEGATIVE_INFINITY, undefined],
      ['empty', {}, 2, undefined],
      ['trail', { a: '1' }, 3, undefined],
      ['tabs', {}, 4, -5],
    ]);
  });

  it('reads what the simulator\'s fake app exposes', () => {
    const metrics = new AppMetrics();
    metrics.recordRequests(200, 0.02, 10);
    metrics.recordRequests(500, 0.3, 2);
    const samples = parsePromText(metrics.render());
    const requests = samples.filter((s) => s.name === 'http_requests_total');
    expect(requests.map((s) => [s.labels.status, s.value])).toEqual([['200', 10], ['500', 2]]);
    expect(samples.find((s) => s.name === 'http_request_duration_seconds_bucket' && s.labels.le === '+Inf')?.value).toBe(12);
  });

  it.each([
    ['a missing value', 'http_requests_total{status="200"}', 1],
    ['an unterminated label value', 'x{a="1} 2', 1],
    ['an unknown escape', 'x{a="\\t"} 2', 1],
    ['a garbage value', 'ok 1\nx twelve', 2],
    ['a garbage timestamp', 'x 1 soon', 1],
    ['a label without quotes', 'x{a=1} 2', 1],
    ['extra fields', 'x 1 2 3', 1],
    ['HTML instead of metrics', '<html>\n<body>503</body>', 1],
  ])('rejects %s, naming the line', (_what, text, line) => {
    expect(() => parsePromText(text)).toThrow(PromTextError);
    try {
      parsePromText(text);
    } catch (err) {
      expect((err as PromTextError).line).toBe(line);
    }
  });
});

describe('parsePromValue', () => {
  it.each([
    ['1027', 1027],
    ['-1.5e-3', -0.0015],
    ['.5', 0.5],
    ['+Inf', Number.POSITIVE_INFINITY],
    ['Inf', Number.POSITIVE_INFINITY],
    ['-Inf', Number.NEGATIVE_INFINITY],
    ['NaN', Number.NaN],
    ['', Number.NaN],
    ['0x1f', Number.NaN],
  ])('%j → %d', (text, value) => {
    expect(parsePromValue(text)).toBe(value);
  });
});

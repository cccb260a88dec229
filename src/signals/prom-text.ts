/**
 * Parser for the Prometheus text exposition format (version 0.0.4), enough to read an app's own
 * /metrics: comments, HELP and TYPE lines, label values with escapes, `+Inf`/`-Inf`/`NaN` and
 * optional timestamps. Pure. Like Prometheus itself, a malformed line rejects the whole scrape:
 * counting half an exposition would make its sums go down and look like a restart.
 * Spec: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export interface PromSample {
  /** The sample name as written, e.g. `http_requests_total` or `…_bucket`. */
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch, when the line carries one. */
  timestampMs?: number;
}

export class PromTextError extends Error {
  override readonly name = 'PromTextError';
  readonly line: number;

  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Parses a sample value as Prometheus writes it: Go floats plus `+Inf`, `-Inf`, `Inf` and `NaN`. */
export function parsePromValue(text: string): number {
  switch (text) {
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
  }
  // Number('') is 0 and Number('0x1f') is 31: accept only what Go's ParseFloat would.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number.NaN;
  return Number(text);
}

/** Every sample in `text`, in order. Throws PromTextError on a malformed sample line. */
export function parsePromText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    // `#` lines are comments, HELP and TYPE; none of them changes a sample's value.
    if (line === '' || line.startsWith('#')) return;
    samples.push(parseSampleLine(line, i + 1));
  });
  return samples;
}

function parseSampleLine(line: string, lineNo: number): PromSample {
  const fail = (message: string) => new PromTextError(lineNo, message);
  const name = METRIC_NAME.exec(line)?.[0];
  if (!name) throw fail('expected a metric name');
  let rest = line.slice(name.length);
  let labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const parsed = parseLabels(rest, fail);
    labels = parsed.labels;
    rest = rest.slice(parsed.length);
  }
  const fields = rest.trim().split(/[ \t]+/);
  const [valueText, timestampText, extra] = fields;
  if (!rest.match(/^[ \t]/) || valueText === undefined || valueText === '' || extra !== undefined) {
    throw fail('expected `name{labels} value [timestamp]`');
  }
  const value = parsePromValue(valueText);
  if (Number.isNaN(value) && valueText !== 'NaN') throw fail(`invalid value ${JSON.stringify(valueText)}`);
  const sample: PromSample = { name, labels, value };
  if (timestampText !== undefined) {
    if (!/^-?\d+$/.test(timestampText)) throw fail(`invalid timestamp ${JSON.stringify(timestampText)}`);
    sample.timestampMs = Number(timestampText);
  }
  return sample;
}

/** Parses `{a="x",b="y\"z"}` at the start of `text`; returns the labels and the characters used. */
function parseLabels(text: string, fail: (message: string) => Error): { labels: Record<string, string>; length: number } {
  const labels: Record<string, string> = {};
  let i = 1;
  const skipSpaces = () => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  for (;;) {
    skipSpaces();
    if (text[i] === '}') return { labels, length: i + 1 };
    const labelName = LABEL_NAME.exec(text.slice(i))?.[0];
    if (!labelName) throw fail('expected a label name');
    i += labelName.length;
    skipSpaces();
    if (text[i] !== '=') throw fail(`expected = after label ${labelName}`);
    i++;
    skipSpaces();
    if (text[i] !== '"') throw fail(`expected a quoted value for label ${labelName}`);
    i++;
    let value = '';
    for (;;) {
      const ch = text[i];
      if (ch === undefined) throw fail(`unterminated value for label ${labelName}`);
      i++;
      if (ch === '"') break;
      if (ch === '\\') {
        const escaped = text[i++];
        // The format defines exactly three escapes: \\, \" and \n.
        if (escaped === 'n') value += '\n';
        else if (escaped === '\\' || escaped === '"') value += escaped;
        else throw fail(`invalid escape in label ${labelName}`);
      } else {
        value += ch;
      }
    }
    labels[labelName] = value;
    skipSpaces();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw fail('expected , or } after a label');
  }
}

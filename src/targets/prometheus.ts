/** One sample of the Prometheus text exposition format. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Counters that fell between two scrapes mean the service restarted: the figures are unreliable. */
export class ScrapeError extends Error {
  override name = 'ScrapeError';
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$/;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    while (text[i] === ',' || text[i] === ' ') i++;
    if (i >= text.length) break;
    const eq = text.indexOf('=', i);
    if (eq < 0 || text[eq + 1] !== '"')
      throw new ScrapeError(`malformed labels in '${line.slice(0, 80)}'`);
    const name = text.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        j++;
        value += text[j] === 'n' ? '\n' : text[j];
      } else value += text[j];
    }
    if (j >= text.length)
      throw new ScrapeError(`unterminated label value in '${line.slice(0, 80)}'`);
    labels[name] = value;
    i = j + 1;
  }
  return labels;
}

/** Parses the text format (comments and HELP/TYPE lines skipped). @throws ScrapeError */
export function parsePrometheus(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new ScrapeError(`not Prometheus text: '${line.slice(0, 80)}'`);
    const value =
      match[4] === '+Inf' ? Infinity : match[4] === '-Inf' ? -Infinity : Number(match[4]);
    out.push({
      name: match[1] as string,
      labels: match[3] ? parseLabels(match[3], line) : {},
      value,
    });
  }
  return out;
}

/** The metric names a text declares with `# TYPE`: a labelled counter never incremented has none. */
export function declaredNames(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] as string);
}

/** A scrape's samples, looked up by name and labels. */
export class Scrape {
  readonly #byName = new Map<string, PromSample[]>();
  readonly #declared: Set<string>;

  /** Parses a scrape's text. @throws ScrapeError */
  static parse(text: string, at: number): Scrape {
    return new Scrape(parsePrometheus(text), at, declaredNames(text));
  }

  constructor(
    samples: readonly PromSample[],
    /** When it was taken, ms since the epoch. */
    readonly at: number,
    declared: Iterable<string> = [],
  ) {
    this.#declared = new Set(declared);
    for (const s of samples) {
      const list = this.#byName.get(s.name) ?? [];
      list.push(s);
      this.#byName.set(s.name, list);
    }
  }

  /** Whether the service exposes the metric, with samples or (not yet counted) without. */
  has(name: string): boolean {
    return this.#byName.has(name) || this.#declared.has(name);
  }

  samples(name: string): readonly PromSample[] {
    return this.#byName.get(name) ?? [];
  }

  /** The sum of every sample of `name` whose labels include `match`. */
  sum(name: string, match: Readonly<Record<string, string>> = {}): number {
    let total = 0;
    for (const s of this.samples(name))
      if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) total += s.value;
    return total;
  }

  /** The values a label takes among the samples of `name`, sorted. */
  labelValues(name: string, label: string): string[] {
    const values = new Set<string>();
    for (const s of this.samples(name)) {
      const v = s.labels[label];
      if (v !== undefined) values.add(v);
    }
    return [...values].sort();
  }
}

/**
 * A counter's increase between two scrapes. A series absent before started at 0 (prom-client
 * exposes a labelled series once it is first incremented).
 * @throws ScrapeError when the counter went down (the service restarted)
 */
export function increase(
  before: Scrape,
  after: Scrape,
  name: string,
  match: Readonly<Record<string, string>> = {},
): number {
  const delta = after.sum(name, match) - before.sum(name, match);
  if (delta < 0)
    throw new ScrapeError(
      `${name} went down between scrapes (${before.sum(name, match)} -> ${after.sum(name, match)}): the service restarted during the run`,
    );
  return delta;
}

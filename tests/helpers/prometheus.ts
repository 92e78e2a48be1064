export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text format strictly: a line that is not valid fails the test. */
export function parsePrometheus(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    const labels: Record<string, string> = {};
    for (const m of (match[2] ?? '').matchAll(LABEL)) labels[m[1]!] = m[2]!;
    // Prometheus parses values as Go floats: NaN and Inf in any case.
    const text = match[3]!.toLowerCase();
    const value =
      text === '+inf'
        ? Number.POSITIVE_INFINITY
        : text === '-inf'
          ? Number.NEGATIVE_INFINITY
          : Number(text);
    if (Number.isNaN(value) && text !== 'nan') throw new Error(`bad value in: ${line}`);
    samples.push({ name: match[1]!, labels, value });
  }
  return { types, samples };
}

/** Samples of one metric whose labels include `labels`. */
export function find(
  expo: Exposition,
  name: string,
  labels: Record<string, string> = {},
): Sample[] {
  return expo.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

export function total(expo: Exposition, name: string, labels: Record<string, string> = {}): number {
  return find(expo, name, labels).reduce((sum, s) => sum + s.value, 0);
}

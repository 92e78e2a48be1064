/** How `textTable` lays its columns out. */
export interface TextTableOptions {
  /**
   * Which columns are aligned left (names); the others right (figures).
   * @default every column left
   */
  readonly left?: (column: number) => boolean;
  /** A rule of dashes under the header, and over the footer. @default false */
  readonly rule?: boolean;
  /** A last row (a total), under its own rule when `rule` is set. */
  readonly footer?: readonly string[];
}

/** Rows of cells in columns two spaces apart, each as wide as its widest cell; no trailing space. */
export function textTable(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  options: TextTableOptions = {},
): string {
  const left = options.left ?? (() => true);
  const all = options.footer ? [...rows, options.footer] : rows;
  const widths = header.map((h, i) => Math.max(h.length, ...all.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (left(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = options.rule ? ['-'.repeat(widths.reduce((a, b) => a + b + 2, -2))] : [];
  const body = [line(header), ...rule, ...rows.map(line)];
  return (options.footer ? [...body, ...rule, line(options.footer)] : body).join('\n');
}

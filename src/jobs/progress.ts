import type { Progress } from '../load/index.js';
import { formatDuration } from '../util/duration.js';

/** The live status line: redrawn in place on a terminal, one line a second otherwise. */
export class ProgressPrinter {
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly tty = Boolean(process.stderr.isTTY),
  ) {}

  static format(p: Progress): string {
    const elapsed = formatDuration(p.elapsedMs);
    const left = formatDuration(Math.max(0, p.durationMs - p.elapsedMs));
    const rate = p.requests === 0 ? 0 : (p.failures / p.requests) * 100;
    return `[${elapsed} elapsed, ${left} left] users ${p.users}  rps ${p.row.rps.toFixed(1)}  p50 ${p.row.p50} ms  p99 ${p.row.p99} ms  requests ${p.requests}  failures ${p.failures} (${rate.toFixed(2)}%)  cpu ${Math.round(p.cpuPercent)}%`;
  }

  update(progress: Progress): void {
    const line = ProgressPrinter.format(progress);
    if (this.tty) {
      this.stream.write(`\r\x1b[K${line.slice(0, (this.stream.columns || 200) - 1)}`);
      this.drawn = true;
    } else this.stream.write(`${line}\n`);
  }

  /** Prints a line without tearing the status line. */
  note(message: string): void {
    this.clear();
    this.stream.write(`${message}\n`);
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** The run lifecycle in process: outputs checked first, the signal stages, the rescue, cleanup. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PerfError } from '../../src/errors.js';
import { checkOutputs, type Lifecycle, runLifecycle } from '../../src/jobs/lifecycle.js';

const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-life-'));
const options = { stopping: (signal: string) => `${signal}: stopping` };

afterEach(() => vi.restoreAllMocks());

describe('checkOutputs', () => {
  it('names every path that cannot be written, at once, as one user error', () => {
    mkdirSync(join(dir, 'folder'), { recursive: true });
    writeFileSync(join(dir, 'file'), 'x');
    let error: unknown;
    try {
      checkOutputs([
        { flag: '--json', path: join(dir, 'folder'), kind: 'file' },
        { flag: '--html', path: join(dir, 'file', 'report.html'), kind: 'file' },
        { flag: '--csv', path: join(dir, 'new', 'deeper', 'run_stats.csv'), kind: 'file' },
        { flag: 'the profile folder', path: join(dir, 'file'), kind: 'folder' },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PerfError);
    const message = (error as PerfError).message;
    expect((error as PerfError).code).toBe('FP_ERR_WRITE');
    expect(message).toMatch(/--json .*folder is a folder/);
    expect(message).toMatch(/--html .*report\.html: .*file is a file, not a folder/);
    expect(message).toMatch(/the profile folder .*file is a file, not a folder/);
    // A folder that does not exist yet is made when the file is written: no problem.
    expect(message).not.toMatch(/--csv/);
    expect(message).not.toMatch(/\n/);
  });
});

describe('runLifecycle', () => {
  /** Runs a job that hands its lifecycle out, and lets the test drive it. */
  async function drive(test: (life: Lifecycle, lines: string[]) => Promise<void>) {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
      lines.push(String(text).trim());
      return true;
    });
    await runLifecycle(options, (life) => test(life, lines));
  }

  it('the first Ctrl-C stops, the second aborts, later ones while writing are told to wait', async () => {
    await drive(async (life, lines) => {
      life.starting();
      process.emit('SIGINT', 'SIGINT');
      expect(life.stop.signal.aborted).toBe(true);
      expect(life.abort.signal.aborted).toBe(false);
      process.emit('SIGINT', 'SIGINT');
      expect(life.abort.signal.aborted).toBe(true);
      process.emit('SIGTERM', 'SIGTERM');
      expect(lines).toEqual([
        'SIGINT: stopping',
        'SIGINT again: stopping now and writing what was recorded',
        'SIGTERM: writing the results; they are complete in a moment (kill -9 abandons them)',
      ]);
    });
    // Its handlers are gone with it.
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('before the load starts, a Ctrl-C ends the job at its next checkpoint', async () => {
    await expect(
      drive(async (life, lines) => {
        process.emit('SIGINT', 'SIGINT');
        expect(lines).toEqual(['SIGINT: stopping before the load starts']);
        life.checkpoint();
      }),
    ).rejects.toThrow('stopped before the load started; nothing was sent, nothing written');
  });

  it('a wait the user may cut short ends at the next signal', async () => {
    await drive(async (life) => {
      const waiting = life.nextSignal();
      process.emit('SIGINT', 'SIGINT');
      await waiting;
      expect(life.stop.signal.aborted).toBe(true);
    });
  });

  it('a job that fails after its load writes what it kept, then fails; cleanups run last first', async () => {
    const order: string[] = [];
    const run = runLifecycle(options, async (life) => {
      life.defer(() => order.push('service stopped'));
      life.defer(() => {
        throw new Error('cleanup broke');
      });
      life.defer(() => order.push('profiler closed'));
      life.keep(async () => order.push('result written'));
      throw new TypeError('a bug after the load');
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await expect(run).rejects.toThrow('a bug after the load');
    expect(order).toEqual(['result written', 'profiler closed', 'service stopped']);
  });

  it('nothing is rewritten once the job said its outputs are written', async () => {
    const write = vi.fn(async () => undefined);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await expect(
      runLifecycle(options, async (life) => {
        life.keep(write);
        life.written();
        throw new Error('later');
      }),
    ).rejects.toThrow('later');
    expect(write).not.toHaveBeenCalled();
  });

  it('refuses outputs it cannot write before the job runs', async () => {
    writeFileSync(join(dir, 'plain'), 'x');
    const job = vi.fn(async () => undefined);
    await expect(
      runLifecycle(
        {
          ...options,
          outputs: [{ flag: '--json', path: join(dir, 'plain', 'r.json'), kind: 'file' }],
        },
        job,
      ),
    ).rejects.toThrow(/nothing ran/);
    expect(job).not.toHaveBeenCalled();
  });
});

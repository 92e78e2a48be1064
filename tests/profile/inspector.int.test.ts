import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PerfError } from '../../src/errors.js';
import {
  analyseCpuProfile,
  evaluate,
  Inspector,
  startCpuProfile,
  stopCpuProfile,
  trimProfile,
} from '../../src/profile/index.js';
import { closedPort } from '../helpers/http-server.js';

const BURNER = fileURLToPath(new URL('../fixtures/profile/burner.mjs', import.meta.url));

let service: ChildProcess;
let base: string;
let inspectAt: string;

beforeAll(async () => {
  service = spawn(process.execPath, ['--inspect=127.0.0.1:0', BURNER], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  [base, inspectAt] = await Promise.all([
    new Promise<string>((resolve) =>
      service.stdout!.on('data', (d: Buffer) => {
        out += d;
        const m = /listening on (\d+)/.exec(out);
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      }),
    ),
    new Promise<string>((resolve) =>
      service.stderr!.on('data', (d: Buffer) => {
        err += d;
        const m = /Debugger listening on ws:\/\/(127\.0\.0\.1:\d+)\//.exec(err);
        if (m) resolve(`http://${m[1]}`);
      }),
    ),
  ]);
});

afterAll(() => {
  service?.kill();
});

async function hit(path: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await (await request(`${base}${path}`)).body.text();
}

describe('profiling a Node service over its inspector', () => {
  it('the CPU burner comes first by self time, with its file and line; only the window counts', async () => {
    const inspector = await Inspector.connect(inspectAt);
    try {
      // As the profile command does: the profiler runs from the start, so code V8 optimises in
      // the warm-up keeps the positions of what it inlines (code optimised before the profiler
      // starts does not, and its inlined callees' time goes to the caller), and the profile is
      // cut to the window. 600 ms burned before the window: none of it may count.
      await startCpuProfile(inspector, 200);
      await hit('/burn', 30);
      const windowFromUs = Number(
        await evaluate(inspector, 'String(process.hrtime.bigint() / 1000n)'),
      );
      await hit('/ok', 50);
      await hit('/burn', 10);
      const profile = trimProfile(await stopCpuProfile(inspector), windowFromUs);
      const analysis = analyseCpuProfile(profile);
      const top = analysis.functions.find((f) => f.class === 'app');
      expect(top?.name).toBe('burnCpu');
      expect(top?.url).toBe(`file://${BURNER}`);
      expect(top?.line).toBe(6);
      // 10 x 20 ms of burning in the window: about 200 ms, not the 800 ms of the whole process.
      expect(top?.totalUs).toBeGreaterThan(150_000);
      expect(top?.totalUs).toBeLessThan(350_000);
    } finally {
      inspector.close();
    }
  });

  it('no inspector at the address: one line naming the flag to add', async () => {
    const port = await closedPort();
    const error = await Inspector.connect(`http://127.0.0.1:${port}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PerfError);
    expect((error as PerfError).code).toBe('FP_ERR_PROFILE');
    expect((error as Error).message).toMatch(
      new RegExp(
        `no inspector answers at 127.0.0.1:${port}; start the service with node --inspect=127.0.0.1:${port}`,
      ),
    );
  });

  it('an inspector beyond loopback needs --allow-remote-inspector; a bad address says so', async () => {
    await expect(Inspector.connect('http://192.0.2.1:9229')).rejects.toThrow(
      /--allow-remote-inspector/,
    );
    await expect(Inspector.connect('http://[bad')).rejects.toThrow(/is not an address/);
    await expect(Inspector.connect('ftp://127.0.0.1:9229')).rejects.toThrow(
      /expected http:\/\/HOST:PORT/,
    );
  });
});

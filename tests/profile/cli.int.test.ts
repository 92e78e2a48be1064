import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, openWatched } from '../helpers/browser.js';
import { expectUserError, runCli } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { closedPort } from '../helpers/http-server.js';

const SOURCE = fileURLToPath(new URL('../fixtures/profile/burner.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-profile-'));

/**
 * The TypeScript fixture built as tsc builds FIML (JavaScript with a .js.map beside it) and run
 * with its inspector on a free loopback port: the profile must name the .ts file and line.
 */
async function startService(): Promise<{ child: ChildProcess; base: string; inspect: string }> {
  const service = join(dir, 'burner.js');
  await build({
    entryPoints: [SOURCE],
    outfile: service,
    sourcemap: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'silent',
  });
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', service], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, ...(await listening(child)) };
}

/** The service's address and its inspector's, from what it prints. */
function listening(child: ChildProcess): Promise<{ base: string; inspect: string }> {
  let out = '';
  let err = '';
  return Promise.all([
    new Promise<string>((resolve) =>
      child.stdout!.on('data', (d: Buffer) => {
        out += d;
        const m = /listening on (\d+)/.exec(out);
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      }),
    ),
    new Promise<string>((resolve) =>
      child.stderr!.on('data', (d: Buffer) => {
        err += d;
        const m = /Debugger listening on ws:\/\/(127\.0\.0\.1:\d+)\//.exec(err);
        if (m) resolve(`http://${m[1]}`);
      }),
    ),
  ]).then(([base, inspect]) => ({ base, inspect }));
}

let service: Awaited<ReturnType<typeof startService>>;

beforeAll(async () => {
  service = await startService();
});
afterAll(() => {
  service?.child.kill();
});

/** `fiml-perf profile` under an open-model quick load of one route: 2 s of window. */
async function profile(route: string, out: string, rate = 100, more: string[] = []) {
  const run = await runCli([
    'profile',
    `${service.base}${route}`,
    '--rate',
    String(rate),
    '--max-users',
    '20',
    '-d',
    '4s',
    ...more,
    '--warmup',
    '1s',
    '--heap-every',
    '500ms',
    '--inspect',
    service.inspect,
    '-o',
    join(dir, out),
    '-q',
  ]);
  expect(run.code, run.stderr).toBe(0);
  // biome-ignore lint/suspicious/noExplicitAny: profile.json read as it is
  const summary = JSON.parse(readFileSync(join(dir, out, 'profile.json'), 'utf8')) as any;
  return { run, summary };
}

/** Runs `make` once, on the first call: tests that read a profile ask for it, whatever runs first. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

// The profiles several tests read (a flame graph, --diff, report --profile): each test asks for
// what it reads, so it also passes alone (vitest -t), not only after the test that wrote it.
// 60 a second of 20 ms each: more than the service's one core can do.
const burnProfile = once(() => profile('/burn', 'burn', 60));
const okProfile = once(() => profile('/ok', 'ok', 500));

describe('fiml-perf profile against a Node service with --inspect', () => {
  it('a CPU burner comes first, with its file and line, and the diagnosis says CPU-bound in app code; every file is written', async () => {
    const { run, summary } = await burnProfile();
    const top = summary.cpu.functions.find((f: { class: string }) => f.class === 'app');
    expect(top.name).toBe('burnCpu');
    // Mapped back through the source map to the TypeScript source.
    expect(top.where).toBe('tests/fixtures/profile/burner.ts:6');
    expect(run.stdout).toMatch(/burnCpu\s+tests\/fixtures\/profile\/burner\.ts:6/);
    expect(summary.window.fromS).toBeGreaterThanOrEqual(1);
    // The diagnosis: CPU-bound in its own code, the burner named as evidence.
    const cpuBound = summary.diagnosis.find(
      (d: { category: string }) => d.category === 'cpu-bound-app',
    );
    expect(cpuBound.evidence.map((e: { name: string }) => e.name).join('\n')).toMatch(
      /burnCpu tests\/fixtures\/profile\/burner\.ts:6/,
    );
    // The CPU it used, and on a busy host (Linux) what it waited for: it wanted a whole core.
    expect(summary.signals.cpuPercent + (summary.signals.runQueuePercent ?? 0)).toBeGreaterThan(80);
    expect(run.stdout).toMatch(/^- CPU-bound in the service's own code/m);
    const cpu = JSON.parse(readFileSync(join(dir, 'burn', 'cpu.cpuprofile'), 'utf8'));
    expect(cpu.nodes[0].callFrame.functionName).toBe('(root)');
    expect(readFileSync(join(dir, 'burn', 'stacks.folded'), 'utf8')).toMatch(
      /;burnCpu tests\/fixtures\/profile\/burner\.ts:6 \d+\n/,
    );
    for (const file of ['flamegraph.html', 'heap.heapprofile'])
      expect(existsSync(join(dir, 'burn', file)), file).toBe(true);
  }, 60_000);

  it('a service that keeps 10,000 bytes a request: the heap is growing, by about 10 MB per 1,000; heap snapshots name the class that grew, one object a request', async () => {
    // 3 snapshots 500 ms apart: one before the window, two after it (-d 7s: a 4 s window, so
    // about eight heap readings however busy the machine; with 2 s, four, and the verdict could
    // not tell growth from noise when two test files shared the cores).
    const { run, summary } = await profile('/leak', 'leak', 250, [
      '-d',
      '7s',
      '--heap-snapshots',
      '3',
    ]);
    const leak = summary.heap.leak;
    expect(leak.verdict).toBe('growing');
    // 1,250 elements of 8 bytes, a 32-byte header and the Kept holding them, a request.
    // A loaded machine reads it low (0.86 and 0.89 with other work on the cores, 0.72 with two
    // busy loops besides), and why is not explained yet: the bound stays until it is.
    expect(leak.bytesPer1000 / 10_032_000).toBeGreaterThan(0.9);
    expect(leak.bytesPer1000 / 10_032_000).toBeLessThan(1.15);
    expect(summary.heap.allocationGrowth[0].name).toBe('keep');
    expect(run.stdout).toMatch(/^Heap: GROWING: /m);

    // The snapshots: the first before the window, the others after it, a file each.
    const snaps = summary.heapSnapshots;
    expect(snaps.taken).toHaveLength(3);
    expect(snaps.taken[0].t).toBeLessThanOrEqual(summary.window.fromS);
    expect(snaps.taken[1].t).toBeGreaterThanOrEqual(summary.window.toS);
    for (const s of snaps.taken) expect(existsSync(join(dir, 'leak', s.file)), s.file).toBe(true);
    // Kept grew in every snapshot, by one object a request served between the first and last.
    const kept = snaps.classes.find((c: { name: string }) => c.name === 'Kept');
    expect(kept.grewEveryTime).toBe(true);
    expect(snaps.classes[0].grewEveryTime).toBe(true);
    const served = snaps.taken[2].requests - snaps.taken[0].requests;
    expect(Math.abs(kept.growthCount - served) / served).toBeLessThan(0.05);
    expect(run.stdout).toMatch(/^\s+yes\s+\+\d+\.\d+\s+\+\d+\s+[\d. >]+\s+Kept$/m);
    // The diagnosis names it as evidence.
    const growing = summary.diagnosis.find(
      (d: { category: string }) => d.category === 'memory-growing',
    );
    expect(JSON.stringify(growing.evidence)).toMatch(/Kept in every heap snapshot/);
  }, 60_000);

  it('one that keeps nothing: stable', async () => {
    const { summary } = await okProfile();
    expect(summary.heap.leak.verdict).toBe('stable');
  }, 60_000);

  it.skipIf(!hasChromium)(
    'the flame graph opens offline with no error, and search highlights a frame',
    async () => {
      await burnProfile();
      const browser = await launchBrowser();
      try {
        const url = pathToFileURL(join(dir, 'burn', 'flamegraph.html')).href;
        const { page, errors, requests } = await openWatched(browser, url);
        await page.waitForSelector('html[data-ready="true"]');
        expect(await page.locator('.frame').count()).toBeGreaterThan(3);
        await page.fill('#search', 'burnCpu');
        expect(await page.locator('.frame.match').count()).toBeGreaterThanOrEqual(1);
        expect(await page.textContent('#matched')).toMatch(/^matched [1-9]\d*\.\d+% of the time$/);
        await page.locator('.frame.match').first().click();
        expect(await page.textContent('#zoomed')).toMatch(/^zoomed to burnCpu/);
        expect(errors).toEqual([]);
        expect(requests).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );

  it('report --profile: the diagnosis, leak verdict and hot functions in the report, the flame graph linked', async () => {
    await burnProfile();
    const result = fileURLToPath(new URL('../fixtures/results/load-v1.json', import.meta.url));
    const out = join(dir, 'report.html');
    const run = await runCli(['report', result, '--profile', join(dir, 'burn'), '-o', out]);
    expect(run.code, run.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/<h3 id="run0-profile">Profile of the service/);
    expect(html).toMatch(/CPU-bound in the service&#39;s own code/);
    expect(html).toMatch(
      /<td class="l">burnCpu<\/td><td class="l"><code>tests\/fixtures\/profile\/burner\.ts:6<\/code>/,
    );
    expect(html).toMatch(/<a href="burn\/flamegraph\.html">Open the flame graph<\/a>/);
    expectUserError(
      await runCli(['report', result, '--profile', join(dir, 'nothing'), '-o', out]),
      /--profile: cannot read .*nothing\/profile\.json \(ENOENT\)/,
    );
  }, 60_000);

  it('--diff: what grew between two profiles, in a table and a differential flame graph', async () => {
    // One after the other: two profiles at once would each see the other's load.
    await okProfile();
    await burnProfile();
    const run = await runCli([
      'profile',
      '--diff',
      join(dir, 'ok'),
      join(dir, 'burn'),
      '--top',
      '5',
    ]);
    expect(run.code, run.stderr).toBe(0);
    // Among the five that changed most: the burner, which only the second profile has.
    const burner = run.stdout.split('\n').find((l) => / burnCpu /.test(l)) as string;
    expect(burner).toMatch(
      /^\s+\+\d+\.\d+\s+0\.00\s+\d+\.\d+\s+app\s+burnCpu\s+tests\/fixtures\/profile\/burner\.ts:6$/,
    );
    const html = readFileSync(join(dir, 'burn', 'diff.html'), 'utf8');
    expect(html).toMatch(/grew \(share of the time/);
    expect(html).toMatch(/rgb\(235,\d+,\d+\)/);
    expectUserError(
      await runCli(['profile', '--diff', join(dir, 'ok')]),
      /--diff compares two profiles/,
    );
    expectUserError(
      await runCli(['profile', '--diff', join(dir, 'ok'), join(dir, 'nothing')]),
      /cannot read a CPU profile from .*nothing \(ENOENT\)/,
    );
  }, 90_000);

  it('--target: component benchmarks profiled in process, mapped to their .ts lines; none matching is one line', async () => {
    const out = join(dir, 'dsl');
    const run = await runCli(['profile', '--target', 'dsl', 'simple', '--time', '300', '-o', out]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8'));
    expect(summary.benchmarks.map((b: { id: string }) => b.id)).toEqual([
      'dsl > parse simple query',
    ]);
    const tokenize = summary.cpu.functions.find((f: { name: string }) => f.name === 'tokenize');
    expect(tokenize.where).toMatch(/^fiml\/dsl\/lexer\.ts:\d+$/);
    expect(tokenize.where).not.toBe('fiml/dsl/lexer.ts:1');
    expectUserError(
      await runCli(['profile', '--target', 'dsl', 'no-such-benchmark']),
      /no benchmark of --target dsl matches no-such-benchmark; it has 'dsl > parse simple query'/,
    );
  }, 30_000);

  it('a service run from TypeScript through tsx: its places come from the maps it holds in memory', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--inspect=127.0.0.1:0', SOURCE], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const { base, inspect } = await listening(child);
      const out = join(dir, 'tsx');
      const run = await runCli([
        'profile',
        `${base}/burn`,
        '--rate',
        '60',
        '--max-users',
        '20',
        '-d',
        '3s',
        '--warmup',
        '1s',
        '--no-heap',
        '--inspect',
        inspect,
        '-o',
        out,
        '-q',
      ]);
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8'));
      const burner = summary.cpu.functions.find((f: { name: string }) => f.name === 'burnCpu');
      expect(burner.where).toBe('tests/fixtures/profile/burner.ts:6');
    } finally {
      child.kill();
    }
  }, 60_000);

  it('run --profile: the main job with the embedded FIML profiled into its folder, and the profile in its report', async () => {
    const out = join(dir, 'run');
    const run = await runCli(['run', '--profile', '-t', '7s', '-u', '5', '-q', '--out', out]);
    expect([0, 1], run.stderr).toContain(run.code);
    const latest = join(out, 'latest');
    const summary = JSON.parse(readFileSync(join(latest, 'profile', 'profile.json'), 'utf8'));
    expect(summary.window.fromS).toBeGreaterThanOrEqual(5);
    expect(summary.cpu.functions.length).toBeGreaterThan(0);
    const html = readFileSync(join(latest, 'report.html'), 'utf8');
    expect(html).toMatch(/<h3 id="run0-profile">Profile of the service/);
    expect(html).toMatch(/<a href="profile\/flamegraph\.html">Open the flame graph<\/a>/);
    expect(run.stdout).toMatch(/^Diagnosis:$/m);
    expectUserError(
      await runCli(['run', '--inspect', 'http://127.0.0.1:9229']),
      /--inspect is the inspector --profile uses; add --profile/,
    );
  }, 60_000);

  it('bench --profile: any benchmark profiled instead of measured; with --json it is one line', async () => {
    const out = join(dir, 'bench');
    const run = await runCli(['bench', 'parse track', '--profile', '--time', '300', '-o', out]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8'));
    expect(summary.benchmarks.map((b: { id: string }) => b.id)).toEqual([
      'dsl > parse track query',
    ]);
    expect(run.stdout).toMatch(/^\s+[\d.]+\s+[\d.]+%.*\bapp\s+\S+\s+fiml\/dsl\/\w+\.ts:\d+$/m);
    expect(existsSync(join(out, 'flamegraph.html'))).toBe(true);
    expectUserError(
      await runCli(['bench', 'parse track', '--profile', '--json', join(dir, 'x.json')]),
      /--profile profiles the benchmarks instead of measuring them/,
    );
    expectUserError(
      await runCli(['bench', 'no-such-benchmark', '--profile']),
      /no benchmark matches no-such-benchmark/,
    );
  }, 30_000);

  it.each([
    [
      () => ['--host', service.base, '-u', '1'],
      /needs its inspector: start the service with node --inspect/,
    ],
    [
      async () => [`${service.base}/ok`, '--inspect', `http://127.0.0.1:${await closedPort()}`],
      /no inspector answers at 127\.0\.0\.1:\d+; start the service with node --inspect/,
    ],
    [
      () => [`${service.base}/ok`, '--inspect', 'http://192.0.2.1:9229'],
      /--allow-remote-inspector/,
    ],
    [
      () => [`${service.base}/ok`, '-d', '3s', '--warmup', '5s', '--inspect', service.inspect],
      /--warmup 5s leaves no window/,
    ],
  ])(
    'bad input: one line, exit 2 (%#)',
    async (args, pattern) => {
      // In process: each ends at its flags or its first connection, no run to spawn for.
      expectUserError(await runCliInProcess(['profile', ...(await args())]), pattern);
    },
    30_000,
  );
});

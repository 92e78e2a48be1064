/**
 * The run lifecycle as a user meets it through the CLI (issue 24): results kept when a part
 * dies, Ctrl-C during the writes, outputs checked before the load, a full disk, the embedded
 * FIML ending with its parent.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { expectUserError, runCli, spawnCli, waitForOutput } from '../helpers/cli.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-lifecycle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A server that counts what it answers: the wire's side of every figure. */
async function countingServer(): Promise<TestServer & { count: () => number }> {
  let served = 0;
  const server = await startHttpServer((_req, res) => {
    served++;
    res.end('ok');
  });
  return Object.assign(server, { count: () => served });
}

/** Output of a child, collected, and its end. */
function finished(child: ChildProcess) {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return new Promise<{
    code: number | null;
    signal: string | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** Polls `check` until it holds or `ms` pass; the machine may be loaded. */
async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/** A Node service with its inspector on a free loopback port, as a user profiles theirs. */
async function inspectableService(): Promise<{
  child: ChildProcess;
  base: string;
  inspect: string;
}> {
  const source =
    "require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log('listening on ' + this.address().port) })";
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', '-e', source], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [port, inspector] = await Promise.all([
    waitForOutput(child, /listening on (\d+)/),
    waitForOutput(child, /Debugger listening on ws:\/\/(127\.0\.0\.1:\d+)\//, 'stderr'),
  ]);
  return { child, base: `http://127.0.0.1:${port[1]}`, inspect: `http://${inspector[1]}` };
}

const services: ChildProcess[] = [];
afterEach(() => {
  for (const child of services.splice(0)) child.kill('SIGKILL');
});

describe('a profiled service that dies keeps the load result', () => {
  for (const when of ['window', 'warm-up'] as const)
    it(`profile: the service killed -9 during the ${when}: exit 4, the JSON written, profile.json says why, no stack`, async () => {
      const service = await inspectableService();
      services.push(service.child);
      const out = join(dir, `profile-${when}`);
      const json = join(dir, `profile-${when}.json`);
      const child = spawnCli([
        'profile',
        `${service.base}/`,
        '--rate',
        '50',
        '-d',
        '4s',
        '--warmup',
        '1s',
        '--inspect',
        service.inspect,
        '-o',
        out,
        '--json',
        json,
      ]);
      const done = finished(child);
      await waitForOutput(child, when === 'window' ? /Profile started at/ : /elapsed/, 'stderr');
      service.child.kill('SIGKILL');
      const run = await done;
      expect(run.code, run.stderr).toBe(4);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stderr).toMatch(/Profile failed: .*inspector/);
      const result = JSON.parse(readFileSync(json, 'utf8'));
      expect(result.totals.requests).toBeGreaterThan(0);
      const profile = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8'));
      expect(profile.status).toBe('failed');
      expect(profile.reason).toMatch(/inspector connection closed/);
    }, 60_000);

  it('run --profile: the service killed -9 in the window: the report folder is whole, exit 4', async () => {
    const service = await inspectableService();
    services.push(service.child);
    const out = join(dir, 'reports');
    const child = spawnCli([
      'run',
      '-f',
      'tests/fixtures/scenarios/root-only.ts',
      '--host',
      service.base,
      '-u',
      '5',
      '-t',
      '8s',
      '--target',
      'error_rate < 100%',
      '--profile',
      '--inspect',
      service.inspect,
      '--out',
      out,
      '--no-typecheck',
    ]);
    const done = finished(child);
    await waitForOutput(child, /Profile started at/, 'stderr');
    service.child.kill('SIGKILL');
    const run = await done;
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const latest = join(out, 'latest');
    for (const file of ['result.json', 'report.html', 'summary.md', 'junit.xml'])
      expect(existsSync(join(latest, file)), file).toBe(true);
    expect(readFileSync(join(latest, 'report.html'), 'utf8')).toContain('The profile failed');
    expect(JSON.parse(readFileSync(join(latest, 'profile', 'profile.json'), 'utf8')).status).toBe(
      'failed',
    );
  }, 60_000);
});

describe('Ctrl-C', () => {
  it('more Ctrl-Cs while the results are written do not kill it: JSON, HTML and the summary all there, exit 130', async () => {
    const server = await countingServer();
    try {
      const json = join(dir, 'ctrl-c.json');
      const html = join(dir, 'ctrl-c.html');
      const child = spawnCli([
        'load',
        `${server.url}/`,
        '-c',
        '4',
        '-d',
        '30s',
        '--json',
        json,
        '--html',
        html,
      ]);
      const done = finished(child);
      await waitForOutput(child, /elapsed/, 'stderr');
      child.kill('SIGINT');
      // Keep pressing: every press from here on lands while it stops and writes.
      const presses = setInterval(() => child.kill('SIGINT'), 20);
      const run = await done;
      clearInterval(presses);
      expect(run.signal, run.stderr).toBeNull();
      expect(run.code, run.stderr).toBe(130);
      expect(JSON.parse(readFileSync(json, 'utf8')).totals.requests).toBeGreaterThan(0);
      expect(readFileSync(html, 'utf8')).toMatch(/<\/html>\s*$/);
      expect(run.stdout).toMatch(/Aggregated/);
    } finally {
      await server.close();
    }
  });
});

describe('outputs are checked before the load', () => {
  const cases: Array<[string, () => string, RegExp]> = [
    [
      'a folder given as --json',
      () => {
        mkdirSync(join(dir, 'a-folder'), { recursive: true });
        return join(dir, 'a-folder');
      },
      /--json .*a-folder is a folder/,
    ],
    ['a file in /sys', () => '/sys/x.json', /--json \/sys\/x\.json cannot be written/],
    [
      'a path under a regular file',
      () => {
        writeFileSync(join(dir, 'plain'), 'x');
        return join(dir, 'plain', 'x.json');
      },
      /plain is a file, not a folder/,
    ],
  ];
  for (const [what, path, message] of cases)
    it(`${what}: one line, exit 2, and not one request sent`, async () => {
      const server = await countingServer();
      try {
        const run = await runCli(['load', `${server.url}/`, '-d', '3s', '--json', path()]);
        expectUserError(run, message);
        expect(run.stderr).toMatch(/nothing ran/);
        expect(server.count()).toBe(0);
      } finally {
        await server.close();
      }
    });

  it('a read-only folder for --html (a read-only mount): one line, exit 2, nothing sent', async (context) => {
    const ro = join(dir, 'read-only');
    mkdirSync(ro, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro], { stdio: 'ignore' });
    } catch {
      context.skip('cannot mount a tmpfs here (needs root)');
    }
    const server = await countingServer();
    try {
      const run = await runCli([
        'load',
        `${server.url}/`,
        '-d',
        '3s',
        '--html',
        join(ro, 'report.html'),
      ]);
      expectUserError(run, /--html .*report\.html cannot be written \(EROFS/);
      expect(server.count()).toBe(0);
    } finally {
      await server.close();
      execFileSync('umount', [ro]);
    }
  });
});

describe('a disk that fills at the end', () => {
  it('writes the JSON first and names what was lost', async (context) => {
    const small = join(dir, 'small');
    mkdirSync(small, { recursive: true });
    try {
      // Room for the result JSON of a short quick run, not for its HTML report.
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48k', 'tmpfs', small], {
        stdio: 'ignore',
      });
    } catch {
      context.skip('cannot mount a tmpfs here (needs root)');
    }
    const server = await countingServer();
    try {
      const json = join(small, 'result.json');
      const html = join(small, 'report.html');
      const run = await runCli([
        'load',
        `${server.url}/`,
        '-d',
        '2s',
        '--json',
        json,
        '--html',
        html,
      ]);
      expect(run.code, run.stderr).toBe(2);
      const last = run.stderr.trim().split('\n').at(-1) as string;
      expect(last).toMatch(/could not write .*report\.html \(ENOSPC\)/);
      expect(last).toMatch(/written: .*result\.json/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      const result = JSON.parse(readFileSync(json, 'utf8'));
      expect(result.totals.requests).toBe(server.count());
      expect(existsSync(html)).toBe(false);
      expect(run.stdout).toMatch(/Aggregated/);
    } finally {
      await server.close();
      execFileSync('umount', [small]);
    }
  });
});

describe('the embedded FIML', () => {
  it('ends with its parent, even one killed with kill -9', async () => {
    const child = spawnCli(['load', '-u', '2', '-t', '60s', '-q']);
    const done = finished(child);
    const [, url] = await waitForOutput(child, /Embedded FIML started at (http:\/\/\S+)/, 'stderr');
    const answers = () =>
      fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      );
    expect(await answers()).toBe(true);
    child.kill('SIGKILL');
    await done;
    expect(await until(async () => !(await answers()), 15_000)).toBe(true);
  });
});

describe('fiml-perf ui', () => {
  it("runs the scenario's top-level code once", async () => {
    const server = await countingServer();
    try {
      const marks = join(dir, 'loads.txt');
      const scenario = join(dir, 'counted.ts');
      writeFileSync(
        scenario,
        `import { appendFileSync } from 'node:fs';
import { constant, task, User } from 'fiml-perf';
appendFileSync(${JSON.stringify(marks)}, 'x');
export default class Counted extends User {
  static override waitTime = constant(0.1);
  static override tasks = [task(1, 'root')];
  async root() {
    await this.client.get('/');
  }
}
`,
      );
      const run = await runCli([
        'ui',
        '-f',
        scenario,
        '--host',
        server.url,
        '-u',
        '1',
        '-t',
        '2s',
        '--web-port',
        '0',
        '--autostart',
        '--autoquit',
        '0',
        '--no-typecheck',
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(readFileSync(marks, 'utf8')).toBe('x');
    } finally {
      await server.close();
    }
  });
});

describe('Ctrl-C before the load starts', () => {
  it('ends the run at the next step of its set-up: exit 130, one line, nothing sent', async () => {
    const server = await countingServer();
    try {
      const scenario = join(dir, 'slow-to-load.ts');
      writeFileSync(
        scenario,
        `import { constant, task, User } from 'fiml-perf';
process.stderr.write('loading the scenario\\n');
await new Promise((resolve) => setTimeout(resolve, 2000));
export default class Slow extends User {
  static override waitTime = constant(0.1);
  static override tasks = [task(1, 'root')];
  async root() {
    await this.client.get('/');
  }
}
`,
      );
      const child = spawnCli([
        'load',
        '-f',
        scenario,
        '--host',
        server.url,
        '-t',
        '60s',
        '--no-typecheck',
        '--json',
        join(dir, 'never.json'),
      ]);
      const done = finished(child);
      await waitForOutput(child, /loading the scenario/, 'stderr');
      child.kill('SIGINT');
      const run = await done;
      expect(run.code, run.stderr).toBe(130);
      expect(run.stderr.trim().split('\n').at(-1)).toBe(
        'fiml-perf: stopped before the load started; nothing was sent, nothing written',
      );
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(server.count()).toBe(0);
      expect(existsSync(join(dir, 'never.json'))).toBe(false);
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe('Ctrl-C during the metrics grace wait', () => {
  it("ends the wait, and the exit code stays the run's verdict (stress)", async () => {
    const server = await countingServer();
    try {
      const child = spawnCli([
        'stress',
        'peak',
        '--host',
        server.url,
        '-f',
        'tests/fixtures/scenarios/root-only.ts',
        '--normal',
        '5',
        '-t',
        '2s',
        '--max-error-rate',
        '100%',
        '--metrics-port',
        '0',
        '--metrics-grace',
        '60s',
        '-q',
      ]);
      const done = finished(child);
      await waitForOutput(child, /Serving the final metrics/, 'stderr');
      child.kill('SIGINT');
      const run = await done;
      expect(run.stdout).toMatch(/Stress peak against/);
      expect(run.code, run.stderr).toBe(0);
    } finally {
      await server.close();
    }
  }, 60_000);
});

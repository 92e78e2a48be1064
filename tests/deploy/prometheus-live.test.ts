import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILES, panelQueries } from '../../deploy/grafana/dashboards.js';
import type { RunningFiml } from '../../fiml/index.js';
import { spawnCli } from '../helpers/cli.js';
import { startFiml } from '../helpers/fiml.js';
import { closedPort } from '../helpers/http-server.js';

const deploy = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));
const hasPrometheus = (() => {
  try {
    execFileSync('prometheus', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A real Prometheus (Debian's) on loopback with the shipped rules and the shipped scrape config,
 * its targets pointed at a FIML and a load generator this test starts, scraping every second.
 * The alert rules' `for:` is taken out in this copy (promtool's unit tests judge the waits), so
 * a real provider outage fires within the test's seconds.
 */
describe.skipIf(!hasPrometheus)(
  'a real Prometheus with the shipped config, rules and dashboards',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiml-perf-prometheus-'));
    let fiml: RunningFiml;
    let prometheus: ChildProcess;
    let generator: ChildProcess;
    let api = '';
    let metricsUrl = '';
    const json = join(dir, 'result.json');

    async function query(
      expr: string,
    ): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
      const response = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data: { result: [] };
      };
      if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
      return body.data.result;
    }

    beforeAll(async () => {
      // Prices expire in half a second, so provider calls go on during the outage below.
      fiml = await startFiml({ enableFaultInjection: true, cache: { ttlSeconds: { price: 0.5 } } });
      const fimlTarget = new URL(fiml.url).host;
      // The load generator: the standard mix, its metrics served during the run and after.
      generator = spawnCli([
        'load',
        '--host',
        fiml.url,
        '-u',
        '20',
        '-r',
        '20',
        '-t',
        '12s',
        '-q',
        '--json',
        json,
        '--metrics-port',
        '0',
        '--metrics-grace',
        '60s',
      ]);
      let stderr = '';
      metricsUrl = await new Promise<string>((resolve, reject) => {
        generator.stderr!.on('data', (d: Buffer) => {
          stderr += d;
          const m = /Metrics: (http:\/\/\S+)/.exec(stderr);
          if (m) resolve(m[1] as string);
        });
        generator.once('exit', (code) => reject(new Error(`the load exited ${code}: ${stderr}`)));
      });
      const generatorTarget = new URL(metricsUrl).host;
      const port = await closedPort();
      api = `http://127.0.0.1:${port}`;
      // The shipped config, scraping every second, its targets here, its rule files in place.
      let config = readFileSync(join(deploy, 'prometheus.yml'), 'utf8')
        .replace('scrape_interval: 5s', 'scrape_interval: 1s')
        .replace('evaluation_interval: 5s', 'evaluation_interval: 1s')
        .replace('"fiml:8000"', `"${fimlTarget}"`)
        .replace('"fiml-perf:9464"', `"${generatorTarget}"`)
        .replace('"pushgateway:9091"', `"127.0.0.1:${await closedPort()}"`)
        .replace('rules/recording.yml', join(dir, 'recording.yml'))
        .replace('rules/alerts.yml', join(dir, 'alerts.yml'));
      expect(config).toContain(fimlTarget);
      writeFileSync(join(dir, 'prometheus.yml'), config);
      writeFileSync(
        join(dir, 'recording.yml'),
        readFileSync(join(deploy, 'rules/recording.yml'), 'utf8').replaceAll(
          'interval: 5s',
          'interval: 1s',
        ),
      );
      writeFileSync(
        join(dir, 'alerts.yml'),
        readFileSync(join(deploy, 'rules/alerts.yml'), 'utf8').replace(/for: \w+/g, 'for: 0s'),
      );
      config = '';
      prometheus = spawn(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=error',
        ],
        { stdio: 'ignore' },
      );
      for (let i = 0; i < 100; i++) {
        if (
          await fetch(`${api}/-/ready`).then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
        await sleep(100);
      }
      // The run ends (its final values stay served), and Prometheus has scraped it.
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (/Serving the final metrics/.test(stderr)) {
            clearInterval(poll);
            resolve();
          }
        }, 100);
      });
      await sleep(3000);
    }, 90_000);

    afterAll(async () => {
      generator?.kill('SIGINT');
      prometheus?.kill();
      await fiml?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('every panel query of every dashboard returns data, with no error', async () => {
      const empty: string[] = [];
      for (const [file, d] of Object.entries(FILES))
        for (const { panel, expr } of panelQueries(
          d as unknown as Parameters<typeof panelQueries>[0],
        )) {
          const concrete = expr
            .replaceAll('$__rate_interval', '30s')
            .replaceAll('$instance', '.*')
            .replaceAll('$endpoint', '.*');
          const result = await query(concrete);
          if (result.length === 0) empty.push(`${file} / ${panel}: ${concrete}`);
        }
      expect(empty).toEqual([]);
    }, 60_000);

    it("the rules' figures agree with fiml-perf's own: requests exactly, cache hit rate and task completion within 5 points", async () => {
      const result = JSON.parse(readFileSync(json, 'utf8'));
      const [requests] = await query('sum(fiml_perf_requests_total)');
      expect(Number(requests?.value[1])).toBe(result.totals.requests);
      // FIML's cache and tasks, as the run's targets read them from its /metrics.
      const [hit] = await query('fiml:cache_hit:ratio_rate5m');
      const [tasks] = await query('fiml:task_completion:ratio_rate5m');
      const figures = await (await fetch(`${fiml.url}/metrics`)).text();
      const total = (name: string) =>
        figures
          .split('\n')
          .filter((l) => l.startsWith(name))
          .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
      const hits = total('fiml_cache_hits_total');
      const misses = total('fiml_cache_misses_total');
      expect(Math.abs(Number(hit?.value[1]) - hits / (hits + misses))).toBeLessThan(0.05);
      expect(Number(tasks?.value[1])).toBeGreaterThan(0.95);
    });

    it('a provider outage (FIML fault injection) fires FimlProviderUptimeLow', async () => {
      const outage = await fetch(`${fiml.url}/admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          provider_outages: ['yahoo', 'fmp', 'alpha_vantage', 'coingecko', 'ccxt'],
        }),
      });
      expect(outage.ok).toBe(true);
      let firing: unknown[] = [];
      // Provider calls fail now: prices expire every half second, and each new one is a call.
      for (let i = 0; i < 60 && firing.length === 0; i++) {
        for (const symbol of ['AAPL', 'MSFT', 'GOOGL'])
          await fetch(`${fiml.url}/mcp/tools/get_price?symbol=${symbol}`).catch(() => undefined);
        await sleep(500);
        const alerts = (await (await fetch(`${api}/api/v1/alerts`)).json()) as {
          data: { alerts: Array<{ labels: { alertname: string }; state: string }> };
        };
        firing = alerts.data.alerts.filter(
          (a) => a.labels.alertname === 'FimlProviderUptimeLow' && a.state === 'firing',
        );
      }
      expect(firing).toHaveLength(1);
    }, 60_000);
  },
);

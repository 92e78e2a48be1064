import { describe, expect, it } from 'vitest';
import { parseTarget, TargetSyntaxError } from '../../src/targets/index.js';

describe('target expressions', () => {
  it('parses the standard targets into figures, comparators and thresholds in base units', () => {
    expect(parseTarget('avg < 200ms')).toMatchObject({
      metric: { scope: 'run', figure: 'avg' },
      kind: 'latency',
      op: '<',
      threshold: 200,
      thresholdText: '< 200ms',
    });
    expect(parseTarget('p99 < 0.5s').threshold).toBe(500);
    expect(parseTarget('p999 <= 800us').threshold).toBeCloseTo(0.8);
    expect(parseTarget('cache_hit_rate > 80%')).toMatchObject({
      kind: 'rate',
      op: '>',
      threshold: 0.8,
    });
    expect(parseTarget('cache_hit_rate > 0.80').threshold).toBe(0.8);
    expect(parseTarget('task_completion_rate >= 95%').op).toBe('>=');
    expect(parseTarget('uptime > 99.5%').threshold).toBeCloseTo(0.995);
    expect(parseTarget('rps > 1000').threshold).toBe(1000);
    expect(parseTarget('rps > 1_000/s').threshold).toBe(1000);
    expect(parseTarget('failures < 1').kind).toBe('count');
  });

  it('parses endpoint and provider figures with quoted names', () => {
    expect(parseTarget('endpoint["[Price] Simple Query"].p95 < 50ms')).toMatchObject({
      metric: { scope: 'endpoint', name: '[Price] Simple Query', figure: 'p95' },
      threshold: 50,
    });
    expect(parseTarget("endpoint['GET /x'].error_rate < 1%").metric).toEqual({
      scope: 'endpoint',
      name: 'GET /x',
      figure: 'error_rate',
    });
    expect(parseTarget('provider["Yahoo"].uptime > 99%').metric).toEqual({
      scope: 'provider',
      name: 'yahoo',
      figure: 'uptime',
    });
    expect(parseTarget('provider_uptime["fmp"] > 99%').metric).toMatchObject({
      scope: 'provider',
      name: 'fmp',
    });
  });

  const error = (source: string) => {
    try {
      parseTarget(source);
    } catch (e) {
      expect(e).toBeInstanceOf(TargetSyntaxError);
      return e as TargetSyntaxError;
    }
    throw new Error(`'${source}' parsed`);
  };

  it('says where an expression is wrong and what was expected', () => {
    expect(error('p99 500ms')).toMatchObject({
      column: 5,
      detail: "expected one of <, <=, >, >=, found '500'",
    });
    expect(error('p99 < ms').detail).toBe("expected a number, found 'ms'");
    expect(error('p99 == 5ms').detail).toMatch(/expected one of <, <=, >, >=, found '=='/);
    expect(error('p99 < 500')).toMatchObject({
      column: 7,
      detail: 'p99 is a latency: give its unit, as in 500ms or 0.5s',
    });
    expect(error('p99 < 50%').detail).toMatch(/expected us, ms or s, found '%'/);
    expect(error('error_rate < 5').detail).toBe('error_rate is a share: write 5% or 0.05, not 5');
    expect(error('uptime > 120%').detail).toMatch(/at most 100%/);
    expect(error('latency < 5ms').detail).toMatch(/^unknown figure 'latency'; one of avg/);
    expect(error('endpoint[x].p95 < 5ms').detail).toMatch(/expected a quoted name/);
    expect(error('endpoint["x"].speed < 5ms').detail).toMatch(/expected an endpoint figure/);
    expect(error('endpoint["x < 5ms').detail).toMatch(/unterminated string/);
    expect(error('p99 < 5ms and').detail).toBe("expected the end of the target, found 'and'");
    expect(error('').detail).toMatch(/expected a figure such as p99/);
    expect(error('p100 < 5ms').detail).toMatch(/unknown figure 'p100'/);
    expect(error('rps > 5ms').message).toBe(
      "'rps > 5ms' at column 8: rps is per second: write 1000 or 1000/s",
    );
  });
});

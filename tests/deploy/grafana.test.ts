import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DATASOURCE, FILES, render } from '../../deploy/grafana/dashboards.js';

const dir = fileURLToPath(new URL('../../deploy/grafana/', import.meta.url));

interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { uid: string };
  targets?: Array<{ expr: string }>;
}

describe('the Grafana dashboards', () => {
  it('the committed JSON is what deploy/grafana/dashboards.ts renders (one source of truth)', () => {
    expect(readdirSync(`${dir}dashboards`).sort()).toEqual(Object.keys(FILES).sort());
    for (const [file, d] of Object.entries(FILES))
      expect(readFileSync(`${dir}dashboards/${file}`, 'utf8'), file).toBe(render(d));
  });

  it.each(Object.entries(FILES))(
    '%s: unique ids, the provisioned datasource, defined variables, a description on every panel, no averaged percentiles',
    (_file, d) => {
      const panels = d.panels as Panel[];
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      expect(d.uid).toMatch(/^[a-z0-9-]{8,40}$/);
      const provisioned = readFileSync(`${dir}provisioning/datasources/prometheus.yml`, 'utf8');
      expect(provisioned).toContain(`uid: ${DATASOURCE.uid}`);
      const variables = new Set(d.templating.list.map((v: { name: string }) => v.name));
      for (const p of panels.filter((p) => p.type !== 'row')) {
        expect(p.description, p.title).toBeTruthy();
        expect(p.datasource?.uid, p.title).toBe(DATASOURCE.uid);
        for (const { expr } of p.targets ?? []) {
          for (const [, name] of expr.matchAll(/\$(\w+)/g))
            if (!name?.startsWith('__'))
              expect(variables.has(name as string), `${p.title}: $${name}`).toBe(true);
          expect(expr, p.title).not.toMatch(/avg[^(]*\([^)]*(quantile|p99)/);
        }
      }
    },
  );
});

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));
const deploy = join(root, 'deploy');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
  depends_on?: string[];
}

const compose = parse(readFileSync(join(deploy, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};

describe('deploy/docker-compose.yml and the Dockerfile (Docker cannot run here: checked as files)', () => {
  it('has FIML, Redis, Prometheus, a Pushgateway, Grafana, and fiml-perf under the load profile', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['fiml', 'fiml-perf', 'grafana', 'prometheus', 'pushgateway', 'redis'].sort(),
    );
    expect(compose.services['fiml-perf']?.profiles).toEqual(['load']);
    expect(compose.services.fiml?.command).toContain('redis://redis:6379');
  });

  it('names only files of the repository, and mounts the Prometheus config the tests use', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] as string;
        expect(existsSync(join(deploy, source)), `${name}: ${source}`).toBe(true);
      }
      if (service.build) {
        const context = join(deploy, service.build.context);
        expect(existsSync(join(context, service.build.dockerfile)), name).toBe(true);
      }
    }
    expect(compose.services.prometheus?.volumes).toContain('./prometheus:/etc/prometheus:ro');
    // Its scrape targets are the services' names and ports.
    const config = readFileSync(join(deploy, 'prometheus/prometheus.yml'), 'utf8');
    expect(config).toContain('"fiml:8000"');
    expect(config).toContain('"fiml-perf:9464"');
    expect(config).toContain('"pushgateway:9091"');
    expect(compose.services['fiml-perf']?.command).toEqual(
      expect.arrayContaining(['--metrics-port', '9464', 'http://pushgateway:9091']),
    );
  });

  it('Grafana: provisioned from files, anonymous viewing off, the admin password from the environment', () => {
    const grafana = compose.services.grafana as Service;
    expect(grafana.environment?.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(grafana.environment?.GF_SECURITY_ADMIN_PASSWORD).toBe(
      // Compose's own substitution: the variable, or admin for a local try.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose syntax, not a template
      '${GRAFANA_ADMIN_PASSWORD:-admin}',
    );
    const provider = readFileSync(join(deploy, 'grafana/provisioning/dashboards/fiml.yml'), 'utf8');
    expect(provider).toContain('path: /var/lib/grafana/dashboards');
    expect(grafana.volumes).toContain('./grafana/dashboards:/var/lib/grafana/dashboards:ro');
  });

  it('the Dockerfile: two stages, the runtime without dev dependencies, not root, copying what exists', () => {
    const dockerfile = readFileSync(join(deploy, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split('\n').filter((l) => l.startsWith('FROM '));
    expect(stages).toHaveLength(2);
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(final).toMatch(/npm ci --omit=dev/);
    // FIML, agents and k8s need the optional packages a plain install leaves out (issue 24).
    expect(final).toMatch(
      /npm install --no-save --save-prod --omit=dev [^\n]*\\\n\s*\$\(node -p "[^"]*peerDependencies/,
    );
    expect(final).toMatch(/^USER node$/m);
    // Every source of every COPY (all but the last word), not those from the build stage.
    for (const line of dockerfile.split('\n').filter((l) => /^COPY (?!--from)/.test(l)))
      for (const file of line.split(/\s+/).slice(1, -1))
        expect(existsSync(join(root, file)), `COPY ${file}`).toBe(true);
  });
});

import { execFileSync } from 'node:child_process';
import { arch, cpus, platform } from 'node:os';

/** Where a benchmark ran; comparing runs from different fingerprints is refused unless forced. */
export interface Environment {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  /** Node flags of the benchmark processes. */
  readonly flags: readonly string[];
  readonly gitCommit: string | null;
  readonly gitDirty: boolean | null;
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

export function currentEnvironment(flags: readonly string[] = process.execArgv): Environment {
  const status = git(['status', '--porcelain']);
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    v8: process.versions.v8,
    platform: platform(),
    arch: arch(),
    flags: flags.filter((f) => !/^--(import|require|loader)/.test(f) && f !== 'tsx'),
    gitCommit: git(['rev-parse', 'HEAD']),
    gitDirty: status === null ? null : status.length > 0,
  };
}

/** What must match for two runs to be comparable; the reasons they differ, empty if none. */
export function fingerprintDifferences(a: Environment, b: Environment): string[] {
  const keys = ['cpu', 'cores', 'node', 'v8', 'platform', 'arch'] as const;
  const out = keys.filter((k) => a[k] !== b[k]).map((k) => `${k} ${a[k]} vs ${b[k]}`);
  if (a.flags.join(' ') !== b.flags.join(' '))
    out.push(`flags '${a.flags.join(' ')}' vs '${b.flags.join(' ')}'`);
  return out;
}

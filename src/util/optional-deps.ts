import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerfError } from '../errors.js';
import { packageFile } from './package-file.js';

/**
 * The parts of fiml-perf that need a package it does not install (issue 24): a user testing
 * their own service pays for none of them. Each package is a devDependency of this repository (so
 * `npm install` here has them all, at the version named below) and an optional peer dependency of
 * the package, with the range `*`: npm refuses to install a package whose optional peer conflicts
 * with a version the project already has, and a service on fastify 4 or prom-client 14 must still
 * be able to install fiml-perf. The version is checked here instead, when a command needs it.
 */
export const OPTIONAL_PARTS = {
  fiml: {
    // ioredis for its L2 cache, loaded with the service even when no --redis asks for one;
    // PGlite and its socket server for the embedded database (issue 27).
    packages: [
      'fastify',
      'lru-cache',
      'prom-client',
      'ioredis',
      '@electric-sql/pglite',
      '@electric-sql/pglite-socket',
    ],
    what: 'FIML, the service fiml-perf embeds when no --host is given,',
    otherwise: 'or test your own service with --host URL',
  },
  distributed: {
    packages: ['ioredis'],
    what: 'a distributed run (--coordinator, fiml-perf agent)',
    otherwise: undefined,
  },
  k8s: {
    packages: ['kubernetes-models'],
    what: 'fiml-perf k8s',
    otherwise: undefined,
  },
  metrics: {
    packages: ['prom-client'],
    what: "the generator's metrics (--metrics-port, --prometheus-push)",
    otherwise: undefined,
  },
} as const satisfies Record<
  string,
  { packages: readonly string[]; what: string; otherwise: string | undefined }
>;

export type OptionalPart = keyof typeof OPTIONAL_PARTS;

/** A package a part needs that is not installed, or not in the major version it needs. */
export interface MissingPackage {
  readonly name: string;
  /** The version to install: the one this repository pins and tests with. */
  readonly version: string;
  /** The version found, when one of another major version is installed. */
  readonly found?: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** The versions this repository tests with, from its package.json (shipped with the package). */
function pinnedVersions(): Readonly<Record<string, string>> {
  const manifest = packageFile('package.json');
  if (!manifest) return {};
  const json = JSON.parse(readFileSync(manifest, 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  return json.devDependencies ?? {};
}

/** The version of `name` that `import(name)` from `from` would load, as Node looks it up. */
export function installedVersion(name: string, from: string = HERE): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) {
      try {
        return String(
          (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version,
        );
      } catch {
        return undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const major = (version: string) => /^\D*(\d+)/.exec(version)?.[1];

/** The packages `part` needs that are missing (or of another major version), looked up from `from`. */
export function missingPackages(part: OptionalPart, from: string = HERE): MissingPackage[] {
  const pinned = pinnedVersions();
  const missing: MissingPackage[] = [];
  for (const name of OPTIONAL_PARTS[part].packages) {
    const version = pinned[name] ?? 'latest';
    const found = installedVersion(name, from);
    if (found === undefined) missing.push({ name, version });
    else if (version !== 'latest' && major(found) !== major(version))
      missing.push({ name, version, found });
  }
  return missing;
}

const list = (names: readonly string[]) =>
  names.length <= 1
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;

/** What the message says besides the part's own description and alternative. */
export interface AssertContext {
  /** What needs the part (default: the part's description). */
  readonly who?: string;
  /** The alternative to installing, after the install command; false for none. */
  readonly otherwise?: string | false;
}

/**
 * Checks that what `part` needs is installed, before a command loads it: a missing package is one
 * line naming the `npm install` to run, not a module-not-found trace.
 * @throws PerfError FP_ERR_MISSING_PACKAGE
 */
export function assertInstalled(
  part: OptionalPart,
  context: AssertContext = {},
  from: string = HERE,
): void {
  const missing = missingPackages(part, from);
  if (missing.length === 0) return;
  const who = context.who ?? OPTIONAL_PARTS[part].what;
  const otherwise = context.otherwise ?? OPTIONAL_PARTS[part].otherwise;
  const absent = missing.filter((m) => m.found === undefined).map((m) => m.name);
  const other = missing
    .filter((m) => m.found !== undefined)
    .map((m) => `${m.name} ${major(m.version)} (${m.found} is installed)`);
  const needs = [
    ...(absent.length > 0 ? [`${list(absent)}, not installed`] : []),
    ...(other.length > 0 ? [list(other)] : []),
  ].join('; and ');
  const install = `npm install ${missing.map((m) => `${m.name}@${m.version}`).join(' ')}`;
  throw new PerfError(
    'FP_ERR_MISSING_PACKAGE',
    `${who} needs ${needs}: ${install}${otherwise ? `, ${otherwise}` : ''}`,
  );
}

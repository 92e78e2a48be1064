import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { PerfError } from '../errors.js';
import type { LoadRequest } from '../jobs/index.js';
import type { ExecutorConfig, Workload } from '../load/index.js';
import { DEFAULT_MAX_NAMES, OTHER_NAMES } from '../names.js';
import { readClientConfig } from '../util/client-config.js';
import { parseDuration, parseStages, type Stage } from '../util/duration.js';
import { packageFile } from '../util/package-file.js';
import { flag, type OptionTable, type ResolvedOptions } from './option-table.js';

const stages = z
  .string()
  .refine((v) => typeof parseStages(v) !== 'string', 'expected stages such as 30s:100,2m:100,30s:0')
  .optional();

/** Every flag of `fiml-perf load`: Locust's names for scenarios, autocannon's for quick mode. */
export const loadOptions = {
  file: {
    flags: '-f, --file <path>',
    description:
      'scenario file (.ts or .js) whose default export runs (default: the bundled scenarios/fiml.ts)',
    schema: z.string().min(1).optional(),
  },
  host: {
    flags: '--host <url>',
    description: 'base URL of the service to load (default: start the embedded FIML)',
    schema: z
      .string()
      .refine((v) => /^https?:\/\/[^/\s]+/.test(v), 'expected a URL such as http://127.0.0.1:8000')
      .optional(),
  },
  users: {
    flags: '-u, --users <n>',
    description: 'closed model: users running at once (default: 10)',
    schema: flag.optionalInt(1, 1_000_000),
  },
  spawnRate: {
    flags: '-r, --spawn-rate <n>',
    description: 'closed model: users started a second (default: all within the first second)',
    schema: flag.optionalNumber(0.001, 1_000_000),
  },
  runTime: {
    flags: '-t, --run-time <duration>',
    description: 'how long to run, such as 30s, 5m, 1h30m (default: 30s; quick mode 10s)',
    schema: flag.optionalDuration('30s or 5m'),
  },
  duration: {
    flags: '-d, --duration <duration>',
    description: 'quick mode: same as --run-time (autocannon and wrk call it -d)',
    schema: flag.optionalDuration('10s'),
  },
  stages: {
    flags: '--stages <list>',
    description:
      'closed model in stages, DURATION:USERS ramped linearly, such as 30s:100,2m:100,30s:0',
    schema: stages,
  },
  rate: {
    flags: '--rate <n>',
    description:
      'open model: iterations (quick mode: requests) started a second, whatever the latency',
    schema: flag.optionalNumber(0.001, 10_000_000),
  },
  rateStages: {
    flags: '--rate-stages <list>',
    description: 'open model in stages, DURATION:RATE ramped linearly, such as 30s:100,1m:1000',
    schema: stages,
  },
  maxUsers: {
    flags: '--max-users <n>',
    description:
      'open model: most users (quick mode: connections) busy at once; past it iterations are dropped (default: 1000; quick mode -c)',
    schema: flag.optionalInt(1, 1_000_000),
  },
  connections: {
    flags: '-c, --connections <n>',
    description:
      'quick mode: keep-alive connections, each with one request in flight (default: 10)',
    schema: flag.optionalInt(1, 100_000),
  },
  method: {
    flags: '-m, --method <method>',
    description: 'quick mode: HTTP method',
    schema: z
      .string()
      .regex(/^[A-Za-z]+$/, 'expected a method such as GET or POST')
      .transform((m) => m.toUpperCase())
      .default('GET'),
  },
  header: {
    flags: '-H, --header <header>',
    description:
      "request header 'Name: value', repeatable (quick mode and scenarios); 'Name:' sends none (a default removed)",
    repeatable: true,
    schema: z.array(z.string().regex(/^[^:\s]+:\s?.*$/, "expected 'Name: value'")).default([]),
  },
  body: {
    flags: '-b, --body <text>',
    description: 'quick mode: request body',
    schema: z.string().optional(),
  },
  workers: {
    flags: '-w, --workers <n>',
    description: 'worker threads sharing the load; their histograms merge exactly',
    schema: flag.int(1, 64, 1),
  },
  json: {
    flags: '--json <file>',
    description: 'write the versioned result JSON here (atomically)',
    schema: z.string().min(1).optional(),
  },
  html: {
    flags: '--html <file>',
    description:
      'write the HTML report here (charts, targets, analysis; one file, offline; docs/report.md)',
    schema: z.string().min(1).optional(),
  },
  csv: {
    flags: '--csv <prefix>',
    description:
      'write Locust-style PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv, PREFIX_exceptions.csv (and our PREFIX_phases.csv)',
    schema: z.string().min(1).optional(),
  },
  sharedPool: {
    flags: '--shared-pool',
    description:
      'scenarios: users share one connection pool per origin (default: each user has its own connections, as in Locust and k6)',
    schema: flag.bool(false),
  },
  insecure: {
    flags: '--insecure',
    description:
      'accept any TLS certificate, self-signed or expired (k6: --insecure-skip-tls-verify); by default certificates are verified',
    schema: flag.bool(false),
  },
  ca: {
    flags: '--ca <file>',
    description:
      'trust the CA certificates in this PEM file (a private CA) instead of the bundled ones',
    schema: z.string().min(1).optional(),
  },
  cert: {
    flags: '--cert <file>',
    description:
      'client certificate (PEM) shown to servers that ask for one (mutual TLS); with --key',
    schema: z.string().min(1).optional(),
  },
  key: {
    flags: '--key <file>',
    description: "the client certificate's private key (PEM); with --cert",
    schema: z.string().min(1).optional(),
  },
  http2: {
    flags: '--http2',
    description: 'speak HTTP/2: negotiated by ALPN over https, prior knowledge (h2c) over http',
    schema: flag.bool(false),
  },
  streams: {
    flags: '-p, --streams <n>',
    description:
      'quick mode with --http2: requests in flight on each connection (h2load -m) (default: 1)',
    schema: flag.optionalInt(1, 1000),
  },
  maxRedirects: {
    flags: '--max-redirects <n>',
    description:
      'scenarios: redirects followed before a request fails as a loop; 0 returns every 3xx as it is',
    schema: flag.int(0, 100, 10),
  },
  phases: {
    flags: '--phases',
    description:
      "print where the time went per endpoint: waiting for a connection, the client's own time, connect, TLS handshake, time to first byte, receiving",
    schema: flag.bool(false),
  },
  rawNames: {
    flags: '--raw-names',
    description:
      'name requests without a name by their exact path; by default ids in the path are replaced (/item/123 is recorded as /item/:id once /item/ has shown 20 distinct numbers; /status/404 stays)',
    schema: flag.bool(false),
  },
  maxNames: {
    flags: '--max-names <n>',
    description: `distinct request names recorded; past it, new names are recorded as '${OTHER_NAMES}'`,
    schema: flag.int(1, 1_000_000, DEFAULT_MAX_NAMES),
  },
  seed: {
    flags: '--seed <n>',
    description: "seed of the users' random sources",
    schema: flag.int(0, 2 ** 32 - 1, 1),
  },
  timeout: {
    flags: '--timeout <duration>',
    description: 'a request fails as timeout after this long without a byte',
    schema: flag.duration('10s', '30s'),
  },
  stopTimeout: {
    flags: '--stop-timeout <duration>',
    description: 'at the end or on Ctrl-C, how long in-flight requests may finish',
    schema: flag.duration('5s', '5s', 0),
  },
  typecheck: {
    flags: '--no-typecheck',
    description: 'skip type-checking a .ts scenario given with -f before the run',
    schema: flag.bool(true),
  },
  maxHeap: {
    flags: '--max-heap <share>',
    description:
      "stop the run, its result written, when the generator's heap reaches this share of V8's limit (a scenario keeping data per request); warned at three quarters of it",
    schema: flag.share(0.1, 0.99, 0.9),
  },
  maxBlock: {
    flags: '--max-block <duration>',
    description:
      "end the run, its result written, when a user's task keeps the event loop this long without yielding (a synchronous loop); the result names where it was stuck",
    schema: flag.duration('5s', '5s', 100),
  },
  quiet: {
    flags: '-q, --quiet',
    description: 'no progress line while running',
    schema: flag.bool(false),
  },
} satisfies OptionTable;

export type LoadFlags = ResolvedOptions<typeof loadOptions>;

/** The standard load of `targets` and `run` when no load shape is given: 100 users, 20 a second. */
export function withStandardLoad(flags: LoadFlags): LoadFlags {
  const shaped =
    flags.users !== undefined ||
    flags.spawnRate !== undefined ||
    flags.stages !== undefined ||
    flags.rate !== undefined ||
    flags.rateStages !== undefined;
  return shaped ? flags : { ...flags, users: 100, spawnRate: 20 };
}

/** The bundled standard scenario, from source or from dist. */
export function bundledScenario(): string {
  const path = packageFile('scenarios/fiml.ts');
  if (path) return path;
  throw new PerfError(
    'FP_ERR_SCENARIO',
    'the bundled scenarios/fiml.ts is missing; reinstall fiml-perf or pass -f',
  );
}

/** `-H 'Name: value'`; `-H 'Name:'` sends none of that name (a default taken away), as curl's. */
function headers(list: readonly string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const line of list) {
    const at = line.indexOf(':');
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim() || null;
  }
  return out;
}

const fail = (message: string) => new PerfError('FP_ERR_INVALID_FLAG', message);

/**
 * Turns the flags and positional arguments (a URL for quick mode, else user class names) into a
 * run; conflicting flags are errors that say which to keep. @throws PerfError
 */
export function resolveLoad(flags: LoadFlags, args: readonly string[]): LoadRequest {
  const url = args.find((a) => /^https?:\/\//.test(a));
  const classNames = args.filter((a) => a !== url);
  const quick = url !== undefined;
  if (quick && flags.file)
    throw fail('give either a URL (quick mode) or -f FILE (a scenario), not both');
  if (quick && classNames.length > 0)
    throw fail(`quick mode takes one URL; '${classNames[0]}' is extra (user classes need -f FILE)`);
  if (
    !quick &&
    (flags.connections !== undefined || flags.body !== undefined || flags.method !== 'GET')
  )
    throw fail(
      '-c, -b and -m are for quick mode (fiml-perf load URL); scenarios use -u and their own requests',
    );
  if (quick && flags.host) throw fail('quick mode loads the URL it is given; drop --host');
  if (flags.runTime && flags.duration) throw fail('give --run-time or --duration, not both');
  const shapes = [
    flags.users !== undefined || flags.spawnRate !== undefined ? '-u/-r' : '',
    flags.stages ? '--stages' : '',
    flags.rate !== undefined ? '--rate' : '',
    flags.rateStages ? '--rate-stages' : '',
  ].filter(Boolean);
  if (shapes.length > 1) throw fail(`${shapes.join(' and ')} set different load shapes; keep one`);
  if (quick && (flags.users !== undefined || flags.spawnRate !== undefined))
    throw fail('quick mode runs -c connections; -u and -r are for scenarios');
  const timed = flags.runTime ?? flags.duration;
  if ((flags.stages || flags.rateStages) && timed)
    throw fail('stages set their own length; drop --run-time');
  if (flags.streams !== undefined && !(quick && flags.http2))
    throw fail('-p/--streams is for quick mode over HTTP/2; add --http2 and a URL');
  if (flags.maxUsers !== undefined && flags.rate === undefined && !flags.rateStages)
    throw fail('--max-users caps the open model; use it with --rate or --rate-stages');

  const durationMs = parseDuration(timed ?? (quick ? '10s' : '30s')) as number;
  const maxUsers = flags.maxUsers ?? (quick ? (flags.connections ?? 10) : 1000);
  let executor: ExecutorConfig;
  if (flags.stages) {
    executor = {
      type: 'ramping-users',
      stages: parseStages(flags.stages) as Stage[],
      startUsers: 0,
    };
  } else if (flags.rateStages) {
    executor = {
      type: 'ramping-arrival-rate',
      stages: parseStages(flags.rateStages) as Stage[],
      startRate: 0,
      maxUsers,
    };
  } else if (flags.rate !== undefined) {
    executor = { type: 'constant-arrival-rate', rate: flags.rate, durationMs, maxUsers };
  } else {
    const users = quick ? (flags.connections ?? 10) : (flags.users ?? 10);
    executor = {
      type: 'constant-users',
      users,
      spawnRate: quick ? users * 1000 : (flags.spawnRate ?? users),
      durationMs,
    };
  }
  if (flags.workers > 1) {
    const units =
      executor.type === 'constant-users'
        ? executor.users
        : 'maxUsers' in executor
          ? executor.maxUsers
          : Infinity;
    if (units < flags.workers)
      throw fail(
        `--workers ${flags.workers} needs at least as many users or connections (${units})`,
      );
  }

  const file = quick ? undefined : (flags.file ?? bundledScenario());
  const workload: Workload = quick
    ? { kind: 'quick', url, method: flags.method, headers: headers(flags.header), body: flags.body }
    : { kind: 'scenario', file: file as string, classNames };
  return {
    plan: {
      workload,
      executor,
      host: quick ? new URL(url).origin : flags.host?.replace(/\/$/, ''),
      seed: flags.seed,
      timeoutMs: parseDuration(flags.timeout) as number,
      headers: quick ? {} : headers(flags.header),
      rawNames: flags.rawNames,
      maxNames: flags.maxNames,
      sharedPool: flags.sharedPool,
      client: readClientConfig(flags),
    },
    scenarioFile: file,
    bundledScenario: !quick && flags.file === undefined,
    workers: flags.workers,
    graceMs: parseDuration(flags.stopTimeout) as number,
    json: flags.json,
    csv: flags.csv,
    html: flags.html,
    typecheck: flags.typecheck,
    quiet: flags.quiet,
    maxHeapShare: flags.maxHeap,
    maxBlockMs: parseDuration(flags.maxBlock) as number,
    phases: flags.phases,
  };
}

/**
 * Where the report of a result file goes: `report.html` beside `result.json`, else the file's
 * own name (`stress-peak.json` gets `stress-peak.html`), so runs writing to one folder keep theirs.
 */
export function reportPathFor(json: string): string {
  const name = basename(json);
  if (name === 'result.json') return join(dirname(json), 'report.html');
  return join(dirname(json), `${name.replace(/\.json$/i, '')}.html`);
}

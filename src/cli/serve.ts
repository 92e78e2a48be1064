import type { Command } from 'commander';
import { z } from 'zod';
import { addOptions, flag, type OptionTable, resolveOptions } from './option-table.js';

export const serveOptions = {
  port: {
    flags: '-p, --port <port>',
    description: 'port to listen on, 0 for any free one',
    schema: flag.int(0, 65535, 8000),
  },
  host: {
    flags: '--host <address>',
    description: 'address to listen on',
    schema: z.string().min(1, 'expected an address').default('127.0.0.1'),
  },
  redis: {
    flags: '--redis <url>',
    description: 'Redis URL for the L2 cache, such as redis://127.0.0.1:6379',
    env: 'REDIS_URL',
    schema: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'expected a URL such as redis://127.0.0.1:6379')
      .optional(),
  },
  database: {
    flags: '--database <where>',
    description:
      "FIML's database (market history, persistent cache): embedded (PostgreSQL inside the process), a postgres:// URL, or none",
    schema: z
      .string()
      .regex(
        /^(embedded|none|postgres(ql)?:\/\/\S+)$/,
        'expected embedded, none or a URL such as postgres://user:password@127.0.0.1:5432/fiml',
      )
      .default('embedded'),
  },
  seed: {
    flags: '--seed <n>',
    description: 'seed of every simulated price and figure',
    schema: flag.int(0, 2 ** 32 - 1, 42),
  },
  enableFaultInjection: {
    flags: '--enable-fault-injection',
    description: 'mount POST/DELETE /admin/faults (loopback only) for stress tests',
    schema: flag.bool(false),
  },
  latencyScale: {
    flags: '--latency-scale <factor>',
    description: 'multiply simulated provider latency (0 = instant providers)',
    schema: flag.number(0, 100, 1),
  },
  maxConnections: {
    flags: '--max-connections <n>',
    description:
      'connections accepted at once; past it new ones are closed (pool exhaustion tests)',
    schema: flag.optionalInt(1, 1_000_000),
  },
  cacheTtl: {
    flags: '--cache-ttl <seconds>',
    description:
      'cache lifetime of every data type, in seconds (default: per type, 60 s for prices)',
    schema: flag.optionalNumber(0.001, 86_400),
  },
  monitoring: {
    flags: '--no-monitoring',
    description: 'turn request and operation metrics off (to measure what they cost)',
    schema: flag.bool(true),
  },
  logLevel: {
    flags: '--log-level <level>',
    description: 'log every request at this level (fatal, error, warn, info, debug)',
    schema: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug'], {
        error: 'expected fatal, error, warn, info or debug',
      })
      .optional(),
  },
} satisfies OptionTable;

export function registerServe(command: Command): void {
  command.addHelpText(
    'after',
    '\nExample:\n  fiml-perf serve --port 8000 --redis redis://127.0.0.1:6379 --enable-fault-injection',
  );
  addOptions(command, serveOptions).action(async (raw: Record<string, unknown>) => {
    const { runServeJob } = await import('../jobs/index.js');
    process.exitCode = await runServeJob(resolveOptions(serveOptions, raw));
  });
}

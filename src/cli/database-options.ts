import { z } from 'zod';
import type { OptionTable } from './option-table.js';

/**
 * The database a run watches over its window (issue 27): `load`, `run`, `targets`, `stress` and
 * the UI share it. The embedded FIML's own database is watched without it.
 */
export const databaseOptions = {
  postgres: {
    flags: '--postgres <url>',
    description:
      "read this PostgreSQL's statistics over the run's window: top statements and their plans, sequential scans, cache hit ratio (the password may come from PGPASSWORD; docs/database.md)",
    schema: z
      .string()
      .regex(
        /^postgres(ql)?:\/\/\S+$/,
        'expected a URL such as postgres://user@127.0.0.1:5432/app (the password in PGPASSWORD or in the URL)',
      )
      .optional(),
  },
} satisfies OptionTable;

import { z } from 'zod';
import { flag, type OptionTable } from './option-table.js';

/** How a comparison is written and what it exits with; shared by compare and ab. */
export const reportOptions = {
  markdown: {
    flags: '--markdown <file>',
    description: 'write Markdown for a PR comment',
    schema: z.string().min(1).optional(),
  },
  json: {
    flags: '--json <file>',
    description: 'write the comparison as JSON',
    schema: z.string().min(1).optional(),
  },
  ci: {
    flags: '--ci',
    description: 'exit 1 when any regression is found',
    schema: flag.bool(false),
  },
} satisfies OptionTable;

import { OTHER_NAMES } from '../../../stats/index.js';
import type { AnalysisContext } from '../context.js';
import { count, evidence } from '../format.js';
import type { Finding } from '../types.js';

/** Requests past the cap on distinct names, which the per-endpoint findings cannot see into. */
export function namesOverflow(context: AnalysisContext): Finding[] {
  const names = context.result.names;
  if (!names || names.overflowRequests === 0) return [];
  return [
    {
      id: 'names-overflow',
      severity: 'info',
      title: `${count(names.overflowRequests)} requests were recorded as '${OTHER_NAMES}'`,
      detail: `About ${count(names.overflowNames)} request names past the first ${count(names.max)} were recorded under one name, '${OTHER_NAMES}', so their endpoints cannot be told apart in this report.`,
      evidence: [
        evidence.count('names recorded', names.recorded),
        evidence.count('names past the cap (estimated)', names.overflowNames),
        evidence.count('requests past the cap', names.overflowRequests),
      ],
      recommendation: [
        "Name such requests by their template: client.get(url, { name: '/item/:id' })",
        'Or raise --max-names',
      ],
      action: {
        text: 'Name requests by template so each endpoint has its figures',
        doc: 'docs/load.md#how-requests-are-named',
      },
    },
  ];
}

export type {
  CostliestNode,
  DatabaseSection,
  IndexSuggestion,
  PlanNode,
  StatementWindow,
  TableWindow,
} from './types.js';

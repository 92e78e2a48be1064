export {
  exceptionsCsv,
  failuresCsv,
  historyCsv,
  phasesCsv,
  statsCsv,
  writeCsv,
} from './csv.js';
export { writeJson } from './json.js';
export { runMarkdown } from './markdown.js';
export type { OutputContext, OutputPaths, WrittenOutputs } from './outputs.js';
export {
  loadPageBuilder,
  lostLine,
  plannedOutputs,
  writeOutputs,
  writeOutputsNow,
  writers,
} from './outputs.js';
export { targetsJunit, targetsTable } from './targets.js';
export { errorTable, generatorLine, namesLine, phasesTable, summaryTable } from './terminal.js';

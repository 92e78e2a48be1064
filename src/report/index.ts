export { writeFileAtomic } from './atomic-write.js';
export { failuresCsv, historyCsv, phasesCsv, statsCsv, writeCsv } from './csv.js';
export { writeJson } from './json.js';
export { runMarkdown } from './markdown.js';
export { targetsJunit, targetsTable } from './targets.js';
export { errorTable, generatorLine, namesLine, phasesTable, summaryTable } from './terminal.js';

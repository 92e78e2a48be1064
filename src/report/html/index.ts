export type { BuiltReport } from './build.js';
export { buildReportFromFiles, buildRunReport, ReportError } from './build.js';
export type { ProfileSummary } from './profile-section.js';
export { readProfileSummary } from './profile-section.js';

export { buildReport, buildRows, windowPeriods } from './build.js';
export { equityCsv, flowsCsv, reportCsv } from './exports.js';
export { canonicalTimeZone, isTimeZone, isoInZone, periodEnd, periodStart, type PeriodSpec } from './periods.js';
export { recordSample, type RecordResult } from './record.js';
export { makeSample, type SampleInput, type TotalsInput } from './sample.js';
export { emptyReportsState, MAX_STORED_PERIODS, restoreReportsState, type ReportsState } from './state.js';
export type { ReportConfig, ReportRow, ReportSample, ReportSummaryWindow, ReportView, SideTotals } from './types.js';

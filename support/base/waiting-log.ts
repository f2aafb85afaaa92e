/**
 * How long each scenario waited on the system under test, written by the After hook
 * (one JSON line per scenario attempt, one file per test process) and read by the
 * benchmark (tools/bench/analysis.ts).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPORTS_DIR } from './config.js';

/** Where each test process writes how long its scenarios waited on the SUT. */
export const TIMINGS_DIR = join(REPORTS_DIR, 'timings');

/** Called by the After hook: one JSON line per scenario attempt. */
export function recordWaiting(testCaseStartedId: string, waitedMs: number): void {
  mkdirSync(TIMINGS_DIR, { recursive: true });
  appendFileSync(join(TIMINGS_DIR, `${process.pid}.jsonl`), `${JSON.stringify({ testCaseStartedId, waitedMs })}\n`);
}

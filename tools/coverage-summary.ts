/**
 * What docs/coverage.md says is tested, per area of the 0.7.0 documentation, for product
 * owners: how many documented behaviours a scenario checks (covered), how many a scenario
 * shows 0.7.0 falls short of (known defect), and how many no scenario checks (not covered).
 * Counted from the rows of the document, not from its summary table.
 *
 *   node --import ./test/register.mjs tools/coverage-summary.ts [docs/coverage.md]
 *
 * The product owners' page (reports/index.html) calls coverageSummary().
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countRows, coverageRows } from './coverage/doc.js';

export interface AreaCoverage {
  /** The area as docs/coverage.md names it: "A. Submitting messages and the API surface". */
  area: string;
  covered: number;
  knownDefect: number;
  notCovered: number;
}

/** Counts per documentation area, in the order of the document. */
export function coverageSummary(markdownPath: string): AreaCoverage[] {
  return countRows(coverageRows(readFileSync(markdownPath, 'utf8'))).map(({ area, covered, knownDefect, notCovered }) => ({ area, covered, knownDefect, notCovered }));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const path = process.argv[2] ?? resolve(fileURLToPath(import.meta.url), '..', '..', 'docs', 'coverage.md');
  const rows = coverageSummary(path);
  const width = Math.max(...rows.map((r) => r.area.length));
  console.log(`${'area'.padEnd(width)}  covered  known defect  not covered`);
  for (const r of rows) console.log(`${r.area.padEnd(width)}  ${String(r.covered).padStart(7)}  ${String(r.knownDefect).padStart(12)}  ${String(r.notCovered).padStart(11)}`);
  const sum = (k: 'covered' | 'knownDefect' | 'notCovered') => rows.reduce((n, r) => n + r[k], 0);
  console.log(`${'total'.padEnd(width)}  ${String(sum('covered')).padStart(7)}  ${String(sum('knownDefect')).padStart(12)}  ${String(sum('notCovered')).padStart(11)}`);
}

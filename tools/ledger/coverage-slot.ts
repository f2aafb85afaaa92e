/**
 * The "documented behaviours covered" summary on the run's page (tools/ledger/page.ts),
 * from docs/coverage.md: per documentation area, how many behaviours the documentation
 * promises, how many a scenario checks and the release keeps, and how many are known
 * defects (tools/coverage-summary.ts). Nothing when the table cannot be read.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../support/base/config.js';
import { coverageSummary } from '../coverage-summary.js';
import type { DocAreaCoverage } from './page.js';

export function documentedBehavioursCovered(path = join(ROOT, 'docs', 'coverage.md')): DocAreaCoverage[] | undefined {
  if (!existsSync(path)) return undefined;
  return coverageSummary(path).map((a) => ({
    area: a.area,
    documented: a.covered + a.knownDefect + a.notCovered,
    covered: a.covered,
    knownDefect: a.knownDefect,
  }));
}

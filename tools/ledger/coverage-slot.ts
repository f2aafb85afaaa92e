/**
 * The "documented behaviours covered" summary on the run's page (tools/ledger/page.ts): per
 * documentation area, how many behaviours the documentation promises, how many a scenario
 * checks and the release keeps, and how many are known defects. The outcomes are generated
 * from the features' `@doc-<row>` tags and the ledger at the time the page is made
 * (tools/coverage/tags.ts), over the rows of docs/coverage.md, so the page never counts a
 * stale table. Nothing when the table cannot be read.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../support/base/config.js';
import { loadLedger } from '../../support/base/ledger.js';
import { countRows, coverageRows } from '../coverage/doc.js';
import { featureScenarios } from '../coverage/features.js';
import { generateCoverage } from '../coverage/tags.js';
import type { DocAreaCoverage } from './page.js';

export function documentedBehavioursCovered(root = ROOT): DocAreaCoverage[] | undefined {
  const path = join(root, 'docs', 'coverage.md');
  if (!existsSync(path)) return undefined;
  const { text } = generateCoverage(readFileSync(path, 'utf8'), featureScenarios(root), loadLedger(join(root, 'known-defects.yaml')));
  return countRows(coverageRows(text)).map((a) => ({
    area: a.area,
    documented: a.covered + a.knownDefect + a.notCovered,
    covered: a.covered,
    knownDefect: a.knownDefect,
  }));
}

/**
 * Keeps the scenario citations of docs/coverage.md pointing at their scenarios.
 *
 *   npm run coverage:check   (node --import ./test/register.mjs tools/coverage-lines.ts --check)
 *   npm run coverage:fix     (... --fix)
 *
 * --check lists every citation whose line is not the line of the scenario it names, every
 * citation without a line, every `known defect <id>` the ledger does not have, every
 * scenario of the default run no row cites, and a summary table that does not match the
 * rows; exit 1 if there is any (test/coverage.test.ts runs the same checks).
 * --fix rewrites each citation's line from the scenario's name (after features were
 * edited), turns citations without a line into `features/<file>.feature:<line> "<name>"`,
 * and recomputes the summary table; it cannot fix a name that no scenario has, nor a
 * scenario no row cites, and lists those.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLedger } from '../support/base/ledger.js';
import { citationProblems, fixCitations, summaryProblems, uncitedScenarios, unknownDefects } from './coverage/doc.js';
import { featureScenarios } from './coverage/features.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DOC = join(ROOT, 'docs', 'coverage.md');

/** Everything wrong with docs/coverage.md against the features and the ledger. */
export function coverageProblems(root = ROOT): string[] {
  const markdown = readFileSync(join(root, 'docs', 'coverage.md'), 'utf8');
  const scenarios = featureScenarios(root);
  const ledger = loadLedger(join(root, 'known-defects.yaml'));
  return [
    ...citationProblems(markdown, scenarios),
    ...unknownDefects(markdown, ledger.map((e) => e.id)),
    ...uncitedScenarios(markdown, scenarios, ledger),
    ...summaryProblems(markdown),
  ];
}

function main(mode: string | undefined): number {
  if (mode === '--fix') {
    const before = readFileSync(DOC, 'utf8');
    const { text, unknown } = fixCitations(before, featureScenarios(ROOT));
    if (text !== before) writeFileSync(DOC, text);
    console.log(text === before ? 'docs/coverage.md: nothing to fix' : 'docs/coverage.md: lines and summary rewritten');
  } else if (mode !== '--check') {
    console.error('usage: coverage-lines.ts --check | --fix');
    return 2;
  }
  const problems = coverageProblems();
  for (const p of problems) console.log(p);
  console.log(problems.length === 0 ? 'docs/coverage.md: every citation points at its scenario, and every scenario is cited' : `docs/coverage.md: ${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(main(process.argv[2]));

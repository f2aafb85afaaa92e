/**
 * Generates the Outcome column of docs/coverage.md, its table of scenarios that check no
 * documented promise, and its summary, from the scenarios' `@doc-<row>` and
 * `@no-doc-promise` tags and the ledger (tools/coverage/tags.ts).
 *
 *   npm run coverage:check   (node --import ./test/register.mjs tools/coverage-tags.ts --check)
 *   npm run coverage:fix     (... --fix)
 *
 * --check lists what differs from what the tags give, every tag that names no row, every
 * scenario of the default run without a tag, and every row without a tagged scenario that
 * gives no reason; exit 1 if there is any (test/coverage.test.ts runs the same checks).
 * --fix writes what the tags give, then lists what it cannot fix.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLedger } from '../support/base/ledger.js';
import { unknownDefects } from './coverage/doc.js';
import { featureScenarios } from './coverage/features.js';
import { coverageTagProblems, generateCoverage } from './coverage/tags.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DOC = join(ROOT, 'docs', 'coverage.md');

/** Everything wrong with docs/coverage.md against the features' tags and the ledger. */
export function coverageProblems(root = ROOT): string[] {
  const markdown = readFileSync(join(root, 'docs', 'coverage.md'), 'utf8');
  const ledger = loadLedger(join(root, 'known-defects.yaml'));
  return [...coverageTagProblems(markdown, featureScenarios(root), ledger), ...unknownDefects(markdown, ledger.map((e) => e.id))];
}

function main(mode: string | undefined): number {
  if (mode === '--fix') {
    const before = readFileSync(DOC, 'utf8');
    const { text } = generateCoverage(before, featureScenarios(ROOT), loadLedger(join(ROOT, 'known-defects.yaml')));
    if (text !== before) writeFileSync(DOC, text);
    console.log(text === before ? 'docs/coverage.md: already what the tags give' : 'docs/coverage.md: outcomes, the no-promise table and the summary written from the tags');
  } else if (mode !== '--check') {
    console.error('usage: coverage-tags.ts --check | --fix');
    return 2;
  }
  const problems = coverageProblems();
  for (const p of problems) console.log(p);
  console.log(problems.length === 0 ? 'docs/coverage.md: every outcome is what the scenarios\' tags give, and every scenario names what it checks' : `docs/coverage.md: ${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(main(process.argv[2]));

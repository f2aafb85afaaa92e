/**
 * docs/coverage.md stays true to the features and the ledger:
 *  - every `features/<file>.feature:<line> "<name>"` points at the `Scenario:` line of that name;
 *  - every scenario of Cucumber's default run is cited by a row (directly, or as the
 *    `known defect <id>` of its ledger entry): a new scenario without a row fails here,
 *    with its name and the fix;
 *  - every `known defect <id>` is an entry of known-defects.yaml;
 *  - the summary table counts what the rows say.
 * The checks are those of `npm run coverage:check` (tools/coverage-lines.ts); the rules
 * themselves are shown to fire on small documents.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/base/config.js';
import { loadLedger } from '../support/base/ledger.js';
import {
  citationProblems,
  citations,
  countRows,
  coverageRows,
  fixCitations,
  summaryProblems,
  uncitedScenarios,
  unknownDefects,
} from '../tools/coverage/doc.js';
import { excludedTags, featureScenarios, parseFeature, type FeatureScenario } from '../tools/coverage/features.js';
import { coverageSummary } from '../tools/coverage-summary.js';

const DOC = join(ROOT, 'docs', 'coverage.md');
const markdown = readFileSync(DOC, 'utf8');
const scenarios = featureScenarios(ROOT);
const ledger = loadLedger(join(ROOT, 'known-defects.yaml'));

test('every scenario citation of docs/coverage.md names the scenario at that line', () => {
  assert.ok(citations(markdown).length > 50, 'docs/coverage.md cites scenarios as features/<file>.feature:<line> "<name>"');
  assert.deepEqual(citationProblems(markdown, scenarios), []);
});

test('every scenario of the default run is cited by a row of docs/coverage.md', () => {
  assert.ok(scenarios.some((s) => !s.inDefaultRun), 'the load scenario is outside the default run');
  assert.deepEqual(uncitedScenarios(markdown, scenarios, ledger), []);
});

test('every known defect docs/coverage.md cites is an entry of the ledger', () => {
  assert.deepEqual(unknownDefects(markdown, ledger.map((e) => e.id)), []);
});

test('the summary table of docs/coverage.md counts its rows', () => {
  assert.deepEqual(summaryProblems(markdown), []);
});

test('coverageSummary gives, per area, the covered, known-defect and not-covered rows', () => {
  const summary = coverageSummary(DOC);
  assert.equal(summary.length, 16);
  assert.deepEqual(Object.keys(summary[0]!), ['area', 'covered', 'knownDefect', 'notCovered']);
  assert.match(summary[0]!.area, /^A\. /);
  const rows = coverageRows(markdown);
  assert.equal(summary.reduce((n, a) => n + a.covered + a.knownDefect + a.notCovered, 0), rows.length);
});

// ------------------------------------------------------------------ the rules, on small documents

const FEATURE = `@fullstack @delivery
Feature: Delivering messages
  Something.

  Scenario: One message is delivered
    Given a tenant

  @known-defect
  Scenario: A "quoted" name is delivered
    Given a tenant

  @wip
  Scenario: Work in progress
    Given a tenant
`;
const featureScenariosOf = (text: string): FeatureScenario[] => parseFeature('features/delivery.feature', text, ['@wip', '@load']);
const ledgerOf = [{ id: 'quoted-name', feature: 'features/delivery.feature', scenario: 'A "quoted" name is delivered' }];

function doc(outcomes: string[], summary = '| A. Area | 2 | 1 | 1 | 0 | 0 | 0 |\n| **Total** | **2** | **1** | **1** | **0** | **0** | **0** |'): string {
  return [
    '## Summary',
    '',
    '| Area | Rows | Covered | Known defect | Not covered | of which not yet written | ★ |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    summary,
    '',
    'Of the 0 rows not covered, 0 are not yet written; the other 0 are internal.',
    '',
    '## A. Area',
    '',
    '| # | Claim | Doc § section | Outcome | Docs vs code / note |',
    '| --- | --- | --- | --- | --- |',
    ...outcomes.map((o, i) => `| A${i + 1} | claim | page | ${o} | |`),
    '',
  ].join('\n');
}

test('the default selection is read from cucumber.json; only "not @a and not @b" is understood', () => {
  assert.deepEqual(excludedTags('not @wip and not @load'), ['@wip', '@load']);
  assert.throws(() => excludedTags('@fullstack or @db'), /not of the form/);
  const parsed = featureScenariosOf(FEATURE);
  assert.deepEqual(parsed.map((s) => [s.line, s.name, s.inDefaultRun]), [
    [5, 'One message is delivered', true],
    [9, 'A "quoted" name is delivered', true],
    [13, 'Work in progress', false],
  ]);
});

test('a citation whose line moved is found, and --fix rewrites it from the name; a name with quotes is read whole', () => {
  const text = doc(['features/delivery.feature:4 "One message is delivered"', 'known defect quoted-name']);
  const problems = citationProblems(text, featureScenariosOf(FEATURE));
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /features\/delivery\.feature:4 is no scenario line; "One message is delivered" is at line 5 \(npm run coverage:fix\)/);
  const fixed = fixCitations(text, featureScenariosOf(FEATURE));
  assert.deepEqual(fixed.unknown, []);
  assert.deepEqual(citationProblems(fixed.text, featureScenariosOf(FEATURE)), []);
  assert.deepEqual(citations('| B1 | c | p | features/delivery.feature:9 "A "quoted" name is delivered"<br>features/x.feature:1 "y" | |').map((c) => c.name), ['A "quoted" name is delivered', 'y']);
});

test('a citation at the line of another scenario, or of nothing, is named; the old form without a line too', () => {
  const scenariosHere = featureScenariosOf(FEATURE);
  assert.match(citationProblems(doc(['features/delivery.feature:9 "One message is delivered"']), scenariosHere)[0]!, /is the scenario "A "quoted" name is delivered", not "One message is delivered", which is at line 5/);
  assert.match(citationProblems(doc(['features/delivery.feature:7 "Nothing"']), scenariosHere)[0]!, /has no scenario of that name, and line 7 is no scenario line/);
  const old = doc(['delivery.feature: "One message is delivered"']);
  assert.match(citationProblems(old, scenariosHere)[0]!, /has no line: write it as features\/delivery\.feature:<line>/);
  assert.match(fixCitations(old, scenariosHere).text, /\| features\/delivery\.feature:5 "One message is delivered" \|/);
});

test('a new scenario without a row fails, naming the scenario and the fix; a known defect counts through its ledger entry', () => {
  const withNew = `${FEATURE}\n  Scenario: A brand new behaviour\n    Given a tenant\n`;
  const text = doc(['features/delivery.feature:5 "One message is delivered"', 'known defect quoted-name']);
  assert.deepEqual(uncitedScenarios(text, featureScenariosOf(FEATURE), ledgerOf), []);
  const uncited = uncitedScenarios(text, featureScenariosOf(withNew), ledgerOf);
  assert.equal(uncited.length, 1);
  assert.match(uncited[0]!, /^features\/delivery\.feature:16 "A brand new behaviour" runs by default but no row of docs\/coverage\.md cites it\. Fix: .*add features\/delivery\.feature:16 "A brand new behaviour"/);
  const noDefectRow = uncitedScenarios(doc(['features/delivery.feature:5 "One message is delivered"']), featureScenariosOf(FEATURE), ledgerOf);
  assert.match(noDefectRow[0]!, /"A "quoted" name is delivered" runs by default .* add known defect quoted-name/);
});

test('a known defect the ledger lacks is named', () => {
  assert.deepEqual(unknownDefects(doc(['known defect no-such-defect']), ['quoted-name']), [
    'docs/coverage.md:14: row A1 cites known defect no-such-defect, which known-defects.yaml does not have',
  ]);
});

test('a summary that does not match the rows is named, and --fix recomputes it', () => {
  const rows = ['features/delivery.feature:5 "One message is delivered"', 'known defect quoted-name', 'not covered: not yet written — later', 'not covered: internal'];
  const text = doc(rows);
  assert.deepEqual(countRows(coverageRows(text)).map((c) => [c.rows, c.covered, c.knownDefect, c.notCovered, c.notYetWritten]), [[4, 1, 1, 2, 1]]);
  const problems = summaryProblems(text);
  assert.ok(problems.some((p) => p.includes('the rows give | A. Area | 4 | 1 | 1 | 2 | 1 | 0 |, the table says | A. Area | 2 | 1 | 1 | 0 | 0 | 0 |')), problems.join('\n'));
  assert.ok(problems.some((p) => p.includes('"Of the 2 rows not covered, 1 are not yet written; the other 1 are"')), problems.join('\n'));
  assert.deepEqual(summaryProblems(fixCitations(text, featureScenariosOf(FEATURE)).text), []);
});

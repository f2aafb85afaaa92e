/**
 * docs/coverage.md stays true to the features and the ledger. Its Outcome column, its
 * table of scenarios that check no documented promise and its summary are what the
 * scenarios' tags give (tools/coverage/tags.ts):
 *  - every scenario of Cucumber's default run names the rows it checks with `@doc-<row>`,
 *    or says `@no-doc-promise`: a new scenario without a tag fails here, with the fix;
 *  - every `@doc-<row>` names a row;
 *  - a row no scenario is tagged with gives its reason (`not covered: <reason>`);
 *  - every `known defect <id>` is an entry of known-defects.yaml;
 *  - the summary table counts what the rows say.
 * The checks are those of `npm run coverage:check` (tools/coverage-tags.ts); the rules
 * themselves are shown to fire on small documents.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/base/config.js';
import { loadLedger } from '../support/base/ledger.js';
import { citations, countRows, coverageRows, summaryProblems, unknownDefects } from '../tools/coverage/doc.js';
import { excludedTags, featureScenarios, parseFeature, type FeatureScenario } from '../tools/coverage/features.js';
import { coverageTagProblems, generateCoverage, outcomeOf, REASON_MISSING } from '../tools/coverage/tags.js';
import { coverageSummary } from '../tools/coverage-summary.js';

const DOC = join(ROOT, 'docs', 'coverage.md');
const markdown = readFileSync(DOC, 'utf8');
const scenarios = featureScenarios(ROOT);
const ledger = loadLedger(join(ROOT, 'known-defects.yaml'));

test('docs/coverage.md is what the scenarios\' tags give, and every scenario of the default run names what it checks', () => {
  assert.ok(citations(markdown).length > 50, 'docs/coverage.md cites scenarios as features/<file>.feature "<name>"');
  assert.ok(scenarios.some((s) => !s.inDefaultRun), 'the load scenario is outside the default run');
  assert.deepEqual(coverageTagProblems(markdown, scenarios, ledger), []);
});

test('no citation of docs/coverage.md carries a line number', () => {
  assert.deepEqual(markdown.split('\n').filter((l) => /features\/[\w.-]+\.feature:\d+/.test(l)), []);
});

test('every known defect docs/coverage.md cites is an entry of the ledger', () => {
  assert.deepEqual(unknownDefects(markdown, ledger.map((e) => e.id)), []);
});

test('the summary table of docs/coverage.md, and the one-line summary at its top, count its rows', () => {
  assert.match(markdown, /^\*\*In short:\*\* of the \d+ behaviours the 0\.7\.0 docs promise, /m);
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

  @doc-A1
  Scenario: One message is delivered
    Given a tenant

  @known-defect @doc-A1
  Scenario: A "quoted" name is delivered
    Given a tenant

  @wip @doc-A2
  Scenario: Work in progress
    Given a tenant

  @no-doc-promise
  Scenario: A check beyond the docs
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
    '## Scenarios that check no documented promise',
    '',
    '| Scenario | What it relies on instead |',
    '| --- | --- |',
    '| features/delivery.feature "A check beyond the docs" | RFC 5322 |',
    '',
  ].join('\n');
}

test('the default selection is read from cucumber.yaml; only "not @a and not @b" is understood', () => {
  assert.deepEqual(excludedTags('not @wip and not @load'), ['@wip', '@load']);
  assert.throws(() => excludedTags('@fullstack or @db'), /not of the form/);
  const parsed = featureScenariosOf(FEATURE);
  assert.deepEqual(parsed.map((s) => [s.line, s.name, s.inDefaultRun]), [
    [6, 'One message is delivered', true],
    [10, 'A "quoted" name is delivered', true],
    [14, 'Work in progress', false],
    [18, 'A check beyond the docs', true],
  ]);
});

test('a row\'s outcome lists its tagged scenarios, then its tagged known defects; a name with quotes is read whole', () => {
  assert.equal(outcomeOf('A1', featureScenariosOf(FEATURE), ledgerOf), 'features/delivery.feature "One message is delivered"<br>known defect quoted-name');
  assert.equal(outcomeOf('A2', featureScenariosOf(FEATURE), ledgerOf), undefined, 'a @wip scenario counts for nothing');
  const { text, problems } = generateCoverage(doc(['not covered: not yet written — later', 'not covered: internal']), featureScenariosOf(FEATURE), ledgerOf);
  assert.deepEqual(problems, []);
  assert.match(text, /\| A1 \| claim \| page \| features\/delivery\.feature "One message is delivered"<br>known defect quoted-name \|/);
  assert.match(text, /\| A2 \| claim \| page \| not covered: internal \|/);
  assert.deepEqual(citations('| B1 | c | p | features/delivery.feature "A "quoted" name is delivered"<br>features/x.feature "y" | |').map((c) => c.name), ['A "quoted" name is delivered', 'y']);
});

test('a document that differs from the tags is named line by line, and generating it again changes nothing', () => {
  const scenariosHere = featureScenariosOf(FEATURE);
  const stale = doc(['features/delivery.feature "Another name"', 'not covered: internal']);
  const problems = coverageTagProblems(stale, scenariosHere, ledgerOf);
  assert.ok(problems.some((p) => p.includes('the tags give') && p.includes('features/delivery.feature "One message is delivered"<br>known defect quoted-name')), problems.join('\n'));
  const fixed = generateCoverage(stale, scenariosHere, ledgerOf).text;
  assert.deepEqual(coverageTagProblems(fixed, scenariosHere, ledgerOf), []);
  assert.equal(generateCoverage(fixed, scenariosHere, ledgerOf).text, fixed);
});

test('a new scenario without a tag, a tag naming no row, and a row without a scenario or a reason are named with the fix', () => {
  const withNew = `${FEATURE}\n  Scenario: A brand new behaviour\n    Given a tenant\n\n  @doc-Z9\n  Scenario: A tag for no row\n    Given a tenant\n`;
  const problems = generateCoverage(doc(['not covered: internal', 'features/delivery.feature "Gone"']), featureScenariosOf(withNew), ledgerOf).problems;
  assert.ok(problems.some((p) => /^features\/delivery\.feature:21 "A brand new behaviour" runs by default but names no documented behaviour: tag it @doc-<row>/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /"A tag for no row" is tagged @doc-Z9, but docs\/coverage\.md has no row Z9/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /no scenario is tagged @doc-A2, and row A2 gives no reason/.test(p)), problems.join('\n'));
});

test('the no-promise table keeps each scenario\'s reason and asks for the reason of a new one', () => {
  const generated = generateCoverage(doc(['not covered: internal', 'not covered: internal']), featureScenariosOf(FEATURE), ledgerOf);
  assert.match(generated.text, /\| features\/delivery\.feature "A check beyond the docs" \| RFC 5322 \|/);
  const withoutReason = doc(['not covered: internal', 'not covered: internal']).replace('| features/delivery.feature "A check beyond the docs" | RFC 5322 |\n', '');
  const again = generateCoverage(withoutReason, featureScenariosOf(FEATURE), ledgerOf);
  assert.ok(again.text.includes(`| features/delivery.feature "A check beyond the docs" | ${REASON_MISSING} |`));
  assert.ok(again.problems.some((p) => p.includes('write what it relies on instead')), again.problems.join('\n'));
});

test('a known defect the ledger lacks is named', () => {
  assert.deepEqual(unknownDefects(doc(['known defect no-such-defect']), ['quoted-name']), [
    'docs/coverage.md:14: row A1 cites known defect no-such-defect, which known-defects.yaml does not have',
  ]);
});

test('a summary that does not match the rows is named, and generating recomputes it', () => {
  const rows = ['features/delivery.feature "One message is delivered"', 'known defect quoted-name', 'not covered: not yet written — later', 'not covered: internal'];
  const text = doc(rows);
  assert.deepEqual(countRows(coverageRows(text)).map((c) => [c.rows, c.covered, c.knownDefect, c.notCovered, c.notYetWritten]), [[4, 1, 1, 2, 1]]);
  const problems = summaryProblems(text);
  assert.ok(problems.some((p) => p.includes('the rows give | A. Area | 4 | 1 | 1 | 2 | 1 | 0 |, the table says | A. Area | 2 | 1 | 1 | 0 | 0 | 0 |')), problems.join('\n'));
  assert.ok(problems.some((p) => p.includes('"Of the 2 rows not covered, 1 are not yet written; the other 1 are"')), problems.join('\n'));
  const generated = generateCoverage(text, [], ledgerOf).text;
  assert.deepEqual(summaryProblems(generated), []);
});

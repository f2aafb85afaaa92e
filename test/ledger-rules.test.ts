/**
 * The ledger's rules in one module (support/base/ledger-rules.ts): the one judge of a
 * scenario's outcome against its ledger entry, the judgement as the run attaches it, the
 * verdict counting a recorded judgement without judging again, and the rule that every entry
 * names a scenario that exists, checked in a real run whatever its tags (with the run-report
 * plugin on the fixture features, no SUT).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ROOT } from '../support/base/config.js';
import { loadLedger, type LedgerEntry } from '../support/base/ledger.js';
import {
  countsAgainst,
  entriesWithoutScenario,
  judgementOf,
  judgeScenario,
  ledgerMismatch,
  recordOf,
  underLedger,
  type ScenarioRef,
} from '../support/base/ledger-rules.js';
import { scenariosOnDisk } from '../tools/ledger/feature-scenarios.js';
import type { ScenarioResult } from '../tools/ledger/results.js';
import { verdictOf } from '../tools/ledger/verdict.js';
import { cucumber, FIXTURE_LEDGER, latest, readJson, scratchReports } from './run-fixture.js';

const tmp = mkdtempSync(join(tmpdir(), 'ledger-rules-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const entry = (id: string, scenario: string, over: Partial<LedgerEntry> = {}): LedgerEntry => ({
  id,
  feature: 'features/demo.feature',
  scenario,
  defect: `Defect ${id}.`,
  whenFixed: 'It works.',
  sutRef: 'test double',
  expectedFailure: 'Date header is missing',
  index: 0,
  line: null,
  ...over,
});
const LEDGER = [entry('kd', 'A known defect'), entry('lost-tag', 'An entry without its tag')];
const KD = ['@known-defect'];
const sc = (name: string, tags: string[] = [], uri = 'features/demo.feature'): ScenarioRef => ({ uri, name, tags });

describe('judgeScenario: the one judge', () => {
  test('not in the ledger: Cucumber\'s outcome, passed or failed', () => {
    assert.equal(judgeScenario(sc('plain'), { status: 'PASSED', message: null }, LEDGER).classification, 'passed');
    for (const status of ['FAILED', 'UNDEFINED', 'PENDING', 'AMBIGUOUS', 'SKIPPED', 'UNKNOWN']) {
      const j = judgeScenario(sc('plain'), { status, message: 'Error: boom' }, LEDGER);
      assert.equal(j.classification, 'failed', status);
      assert.equal(j.entry, null);
      assert.equal(j.reason, '');
    }
    assert.equal(underLedger(sc('plain'), LEDGER), false);
  });

  test('confirmed: failed in a step with a message that expected_failure matches (flag s, case-sensitive)', () => {
    const j = judgeScenario(sc('A known defect', KD), { status: 'FAILED', message: 'AssertionError: the Date header is missing' }, LEDGER);
    assert.equal(j.classification, 'confirmed');
    assert.equal(j.entry?.id, 'kd');
    assert.equal(countsAgainst(j), false);
    const multiLine = [entry('m', 'multi', { expectedFailure: 'missing.*second line' })];
    assert.equal(judgeScenario(sc('multi', KD), { status: 'FAILED', message: 'Error: missing\nsecond line' }, multiLine).classification, 'confirmed');
    assert.equal(judgeScenario(sc('A known defect', KD), { status: 'FAILED', message: 'the date header is missing' }, LEDGER).classification, 'changed-failure');
  });

  test('unexpected pass', () => {
    const j = judgeScenario(sc('A known defect', KD), { status: 'PASSED', message: null }, LEDGER);
    assert.equal(j.classification, 'unexpected-pass');
    assert.match(j.reason, /^Unexpected pass of known defect "kd": the scenario passed\. If the release fixed it, remove the @known-defect tag/);
    assert.ok(countsAgainst(j));
  });

  test('changed failure: another message, another status, or a failure outside the steps\' code', () => {
    const other = judgeScenario(sc('A known defect', KD), { status: 'FAILED', message: 'connection refused' }, LEDGER);
    assert.equal(other.classification, 'changed-failure');
    assert.match(other.reason, /does not match expected_failure.*\(it is \/Date header is missing\/\)/);
    for (const status of ['UNDEFINED', 'PENDING', 'AMBIGUOUS', 'SKIPPED', 'UNKNOWN']) {
      const j = judgeScenario(sc('A known defect', KD), { status, message: 'Date header is missing' }, LEDGER);
      assert.equal(j.classification, 'changed-failure', status);
      assert.match(j.reason, new RegExp(`${status} step: a known defect must fail in a step`));
    }
    const timeout = judgeScenario(sc('A known defect', KD), { status: 'FAILED', message: 'Date header is missing', outsideStep: true }, LEDGER);
    assert.equal(timeout.classification, 'changed-failure');
    assert.match(timeout.reason, /outside the code of its steps/);
  });

  test('tag and ledger disagree (not in the ledger, or an entry without its tag): changed failure whatever the outcome', () => {
    for (const status of ['PASSED', 'FAILED']) {
      const noEntry = judgeScenario(sc('Tagged, no entry', KD), { status, message: 'Date header is missing' }, LEDGER);
      assert.equal(noEntry.classification, 'changed-failure');
      assert.equal(noEntry.entry, null);
      assert.match(noEntry.reason, /^"Tagged, no entry" is tagged @known-defect but known-defects\.yaml has no entry for it: add one, or remove the tag\.$/);
      const noTag = judgeScenario(sc('An entry without its tag'), { status, message: 'Date header is missing' }, LEDGER);
      assert.equal(noTag.classification, 'changed-failure');
      assert.equal(noTag.entry?.id, 'lost-tag');
      assert.match(noTag.reason, /^known-defects\.yaml entry "lost-tag" names "An entry without its tag", which is not tagged @known-defect/);
    }
    assert.equal(ledgerMismatch(sc('A known defect', KD), LEDGER), undefined);
    assert.ok(underLedger(sc('Tagged, no entry', KD), LEDGER));
    assert.ok(underLedger(sc('An entry without its tag'), LEDGER));
  });

  test('an entry matches its feature path (./ and \\ normalised) and the exact name only', () => {
    assert.equal(judgeScenario(sc('A known defect', KD, './features/demo.feature'), { status: 'PASSED', message: null }, LEDGER).entry?.id, 'kd');
    assert.equal(judgeScenario(sc('A known defect', KD, 'features/other.feature'), { status: 'PASSED', message: null }, LEDGER).entry, null);
    assert.equal(judgeScenario(sc('A known defect ', KD), { status: 'PASSED', message: null }, LEDGER).entry, null);
  });

  test('the judgement as attached to the scenario reads back the same', () => {
    for (const j of [
      judgeScenario(sc('A known defect', KD), { status: 'FAILED', message: 'the Date header is missing' }, LEDGER),
      judgeScenario(sc('A known defect', KD), { status: 'PASSED', message: null }, LEDGER),
      judgeScenario(sc('Tagged, no entry', KD), { status: 'FAILED', message: 'x' }, LEDGER),
    ]) {
      assert.deepEqual(judgementOf(JSON.parse(JSON.stringify(recordOf(j))), LEDGER), j);
    }
  });
});

describe('the verdict counts the run\'s judgements', () => {
  const result = (over: Partial<ScenarioResult> & { name: string }): ScenarioResult => ({
    pickleId: over.name, uri: 'features/demo.feature', line: 3, tags: KD, status: 'SKIPPED', message: 'Skipped', fullMessage: null,
    failingStep: 'a step', failingStepDetail: 'Then a step', attempts: 1, ...over,
  });

  test('a recorded judgement is counted as it is, not judged again', () => {
    // Cucumber shows a confirmed defect as skipped; the ledger the verdict reads has since changed its pattern.
    const changedLedger = [entry('kd', 'A known defect', { expectedFailure: 'no longer matches' })];
    const recorded = recordOf(judgeScenario(sc('A known defect', KD), { status: 'FAILED', message: 'the Date header is missing' }, LEDGER));
    const v = verdictOf([result({ name: 'A known defect', judgement: recorded })], changedLedger);
    assert.deepEqual(v.counts, { passed: 0, failed: 0, confirmed: 1, unexpectedPasses: 0, changedFailures: 0 });
    assert.equal(v.confirmed[0]?.result.status, 'FAILED');
    assert.equal(v.confirmed[0]?.result.message, 'the Date header is missing');
    assert.equal(v.confirmed[0]?.result.failingStep, 'a step');
  });

  test('a scenario without a judgement is judged by the same function', () => {
    const v = verdictOf(
      [
        result({ name: 'A known defect', status: 'FAILED', message: 'the Date header is missing' }),
        result({ name: 'plain', tags: [], status: 'PASSED', message: null }),
      ],
      LEDGER,
    );
    assert.deepEqual(v.counts, { passed: 1, failed: 0, confirmed: 1, unexpectedPasses: 0, changedFailures: 0 });
    assert.deepEqual(v.notRun.map((e) => e.id), ['lost-tag']);
  });
});

describe('every ledger entry names a scenario that exists', () => {
  test('entriesWithoutScenario: one line per entry whose feature or scenario is missing', () => {
    const names = new Map([['features/demo.feature', new Set(['A known defect', 'An entry without its tag'])]]);
    const ledger = [...LEDGER, entry('gone', 'Renamed long ago'), entry('elsewhere', 'A known defect', { feature: 'features/nosuch.feature' })];
    assert.deepEqual(
      entriesWithoutScenario(ledger, (f) => names.get(f)).map((m) => m.problem),
      [
        'known-defects.yaml entry "gone" names the scenario "Renamed long ago", which features/demo.feature does not have: correct the entry, or remove it.',
        'known-defects.yaml entry "elsewhere" names features/nosuch.feature, which does not exist: correct the entry, or remove it.',
      ],
    );
  });

  test('the real ledger and the fixture ledger name only scenarios on disk (outline rows by their pickle names)', () => {
    for (const path of [join(ROOT, 'known-defects.yaml'), FIXTURE_LEDGER]) {
      const ledger = loadLedger(path);
      assert.deepEqual(entriesWithoutScenario(ledger, scenariosOnDisk(ROOT, ledger)), [], path);
    }
  });

  test('a run whose ledger names a scenario that does not exist fails, whatever its tags, with one line naming the entry', async () => {
    const ledgerPath = join(tmp, 'ghost-ledger.yaml');
    writeFileSync(
      ledgerPath,
      `${readFileSync(FIXTURE_LEDGER, 'utf8')}  - id: ghost-scenario
    feature: test/fixtures/known-defects/features/ledger.feature
    scenario: "A scenario that was renamed"
    defect: "An entry left behind."
    when_fixed: "Nothing (test fixture)."
    sut_ref: "test double"
    expected_failure: 'x'
`,
    );
    const reports = scratchReports('ledger-ghost');
    try {
      const run = await cucumber(['--tags', '@ordinary'], { reports, env: { KNOWN_DEFECTS_LEDGER: ledgerPath } });
      assert.equal(run.code, 1, run.out);
      const line =
        'known-defects.yaml entry "ghost-scenario" names the scenario "A scenario that was renamed", which test/fixtures/known-defects/features/ledger.feature does not have: correct the entry, or remove it.';
      assert.equal(run.out.split(line).length - 1, 1, `the line once in:\n${run.out}`);
      assert.match(run.out, /^acceptance: 1 passed, 0 failed$/m);
      assert.doesNotMatch(run.out, /^  - ghost-scenario:/m, "named once, not again among the entries not run");
      const verdict = readJson(join(latest(reports), 'verdict.json'));
      assert.equal(verdict.exitCode, 1);
      assert.deepEqual(verdict.problems, [line]);
    } finally {
      rmSync(reports, { recursive: true, force: true });
    }
  });
});

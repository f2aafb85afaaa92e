// Over 300 lines on purpose: every classification of the verdict, on real cucumber-js output and on hand-made cases.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLedger, type LedgerEntry } from '../support/base/ledger.js';
import {
  MessagesError,
  readEnvelopes,
  runProblems,
  scenarioResults,
  stripStack,
  type Envelope,
  type ScenarioResult,
} from '../tools/ledger/results.js';
import { formatVerdict, verdictOf, verdictExitCode, verdictToJson, type Verdict } from '../tools/ledger/verdict.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIX = join(ROOT, 'test/fixtures/verdict');
const RUN = join(FIX, 'run-with-retry.ndjson'); // full run, --retry 1
const TAGGED = join(FIX, 'known-defects-only.ndjson'); // same features, --tags @known-defect
const NONE = join(FIX, 'no-scenarios.ndjson'); // --tags @nothing
const LEDGER = join(FIX, 'known-defects.yaml');

const tmp = mkdtempSync(join(tmpdir(), 'verdict-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function lastTwoLines(text: string): string[] {
  return text.replace(/\n+$/, '').split('\n').slice(-2);
}

function byName(results: ScenarioResult[], name: string): ScenarioResult {
  const r = results.find((x) => x.name === name);
  assert.ok(r, `no result for scenario "${name}"`);
  return r;
}

function classOf(v: Verdict, name: string): string {
  const item = v.items.find((i) => i.result.name === name);
  assert.ok(item, `scenario "${name}" not judged`);
  return item.classification;
}

function scenario(over: Partial<ScenarioResult> & { name: string }): ScenarioResult {
  const failed = over.status !== undefined && over.status !== 'PASSED';
  return {
    pickleId: `p-${over.name}`,
    uri: 'features/demo.feature',
    line: 3,
    tags: [],
    status: 'PASSED',
    message: failed ? 'Error: boom' : null,
    fullMessage: null,
    failingStep: failed ? 'a step' : null,
    failingStepDetail: failed ? 'Then a step (features/demo.feature:4)' : null,
    attempts: 1,
    ...over,
  };
}

function entry(over: Partial<LedgerEntry> & { id: string; scenario: string }): LedgerEntry {
  return {
    feature: 'features/demo.feature',
    defect: 'Something is wrong.',
    whenFixed: 'It is right.',
    sutRef: 'docs/sut-0.7.0.md#no-date-no-message-id',
    expectedFailure: 'Date header',
    index: 0,
    line: null,
    ...over,
  };
}

/** Keeps only the envelopes of the named pickles' test cases (all static envelopes stay). */
function onlyScenarios(envelopes: Envelope[], names: string[]): Envelope[] {
  const pickleIds = new Set(envelopes.filter((e) => e.pickle !== undefined && names.includes(e.pickle.name)).map((e) => e.pickle?.id));
  const caseIds = new Set(envelopes.filter((e) => e.testCase !== undefined && pickleIds.has(e.testCase.pickleId)).map((e) => e.testCase?.id));
  const startIds = new Set(
    envelopes.filter((e) => e.testCaseStarted !== undefined && caseIds.has(e.testCaseStarted.testCaseId)).map((e) => e.testCaseStarted?.id),
  );
  return envelopes.filter((e) => {
    if (e.testCase !== undefined) return caseIds.has(e.testCase.id);
    if (e.testCaseStarted !== undefined) return startIds.has(e.testCaseStarted.id);
    if (e.testStepFinished !== undefined) return startIds.has(e.testStepFinished.testCaseStartedId);
    if (e.testCaseFinished !== undefined) return startIds.has(e.testCaseFinished.testCaseStartedId);
    return true;
  });
}

function writeNdjson(name: string, envelopes: Envelope[]): string {
  const path = join(tmp, name);
  writeFileSync(path, envelopes.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return path;
}

describe('scenarioResults (real cucumber-js 12.9.0 output)', () => {
  const results = scenarioResults(readEnvelopes(RUN));

  test('one result per scenario that ran, with uri, line and tags', () => {
    assert.equal(results.length, 13);
    const date = byName(results, 'The delivered mail carries Date and Message-ID headers');
    assert.equal(date.uri, 'features/delivery.feature');
    assert.equal(date.line, 14);
    assert.deepEqual(date.tags, ['@known-defect']);
    // Scenario Outline rows: the line is the Examples row.
    assert.equal(byName(results, 'Status for normal mail').line, 62);
    assert.equal(byName(results, 'Status for broken mail').line, 63);
  });

  test('a failing step gives FAILED, the step text, and the message without stack frames', () => {
    const r = byName(results, 'A message to a rejecting server is marked as error');
    assert.equal(r.status, 'FAILED');
    assert.equal(r.failingStep, 'the message status is "error"');
    assert.equal(r.failingStepDetail, 'Then the message status is "error" (features/delivery.feature:11)');
    assert.match(r.message ?? '', /^AssertionError: message status: expected 'sent' to equal 'error'/);
    assert.doesNotMatch(r.message ?? '', /at World/);
    assert.match(r.fullMessage ?? '', /at World\.<anonymous> \(file:/);
  });

  test('a failing hook gives failingStep "hook"', () => {
    const r = byName(results, 'Attachments are fetched from storage');
    assert.equal(r.status, 'FAILED');
    assert.equal(r.failingStep, 'hook');
    assert.match(r.failingStepDetail ?? '', /^Before hook \(steps\/steps\.mjs:23\)$/);
    assert.match(r.message ?? '', /S3 bucket "attachments" is not reachable/);
  });

  test('an undefined step gives UNDEFINED (cucumber sends no message for it)', () => {
    const r = byName(results, 'A hard bounce is recorded');
    assert.equal(r.status, 'UNDEFINED');
    assert.equal(r.failingStep, 'the mailbox answers with a hard bounce');
    assert.match(r.message ?? '', /^Undefined step/);
  });

  test('with --retry only the final attempt counts', () => {
    // Make sure the fixture really has a failed first attempt for these scenarios.
    const raw = readFileSync(RUN, 'utf8');
    assert.match(raw, /"willBeRetried":true/);
    const flaky = byName(results, 'A flaky connection recovers on retry');
    assert.equal(flaky.attempts, 2);
    assert.equal(flaky.status, 'PASSED');
    assert.equal(flaky.message, null);
    const failedTwice = byName(results, 'The priority header is kept');
    assert.equal(failedTwice.attempts, 2);
    assert.equal(failedTwice.status, 'FAILED');
  });

  test('stripStack removes only stack-frame lines', () => {
    const msg = 'AssertionError: expected 1\n\n    at least one line\n    at World.<anonymous> (file:///x/steps.ts:5:60)\n    at async run (node:internal/x:1:2)';
    assert.equal(stripStack(msg), 'AssertionError: expected 1\n\n    at least one line');
  });
});

describe('judge against the ledger (real run)', () => {
  const ledger = loadLedger(LEDGER);
  const envelopes = readEnvelopes(RUN);
  const v = verdictOf(scenarioResults(envelopes), ledger, runProblems(envelopes));

  test('counts', () => {
    assert.deepEqual(v.counts, { passed: 3, failed: 3, confirmed: 1, unexpectedPasses: 2, changedFailures: 4 });
    assert.equal(v.scenariosRun, 13);
    assert.deepEqual(v.problems, []);
  });

  test('confirmed: failed with a message matching expected_failure', () => {
    assert.equal(classOf(v, 'The delivered mail carries Date and Message-ID headers'), 'confirmed');
    assert.equal(v.confirmed[0]?.entry?.id, 'no-date-header');
  });

  test('unexpected pass', () => {
    assert.equal(classOf(v, 'Unicode subjects are encoded'), 'unexpected-pass');
  });

  test('retry: the first attempt failed with the expected message, the final attempt passed -> unexpected pass', () => {
    assert.equal(classOf(v, 'The queue drains after a restart'), 'unexpected-pass');
    assert.equal(classOf(v, 'A flaky connection recovers on retry'), 'passed');
  });

  test('changed failure: non-matching message', () => {
    const item = v.changedFailures.find((i) => i.result.name === 'Oversized messages are refused');
    assert.ok(item);
    assert.equal(item.entry?.id, 'oversized-accepted');
    assert.match(item.reason, /does not match expected_failure/);
  });

  test('changed failure: UNDEFINED step in a known-defect scenario, even though "bounce" would match the text', () => {
    const item = v.changedFailures.find((i) => i.result.name === 'A hard bounce is recorded');
    assert.ok(item);
    assert.equal(item.entry?.id, 'hard-bounce-lost'); // ledger feature "./features/..." still matches
    assert.match(item.reason, /UNDEFINED step: a known defect must fail in a step, not be undefined/);
  });

  test('changed failure: @known-defect without a ledger entry', () => {
    const item = v.changedFailures.find((i) => i.result.name === 'The priority header is kept');
    assert.ok(item);
    assert.equal(item.entry, null);
    assert.match(item.reason, /is tagged @known-defect but known-defects\.yaml has no entry for it/);
  });

  test('changed failure: ledger entry on an untagged scenario (not counted as F)', () => {
    const item = v.changedFailures.find((i) => i.result.name === 'The retry header is set');
    assert.ok(item);
    assert.match(item.reason, /^known-defects\.yaml entry "retry-header-missing" names .*, which is not tagged @known-defect/);
    assert.ok(!v.failed.some((i) => i.result.name === 'The retry header is set'));
  });

  test('plain scenarios: passes and failures (steps and hooks)', () => {
    assert.deepEqual(
      v.failed.map((i) => i.result.name),
      ['A message to a rejecting server is marked as error', 'Status for broken mail', 'Attachments are fetched from storage'],
    );
    assert.equal(classOf(v, 'A plain message is delivered'), 'passed');
    assert.equal(classOf(v, 'Status for normal mail'), 'passed');
  });

  test('a ledger entry whose scenario did not run is listed, not counted', () => {
    assert.deepEqual(
      v.notRun.map((e) => e.id),
      ['presigned-url-never-expires'],
    );
  });

  test('verdict text: details, confirmed list, and the two closing lines', () => {
    const text = formatVerdict(v);
    assert.deepEqual(lastTwoLines(text), [
      'acceptance: 3 passed, 3 failed',
      'known defects: 1 confirmed, 2 unexpected passes, 4 changed failures',
    ]);
    assert.match(text, /Oversized messages are refused \(features\/delivery\.feature:26\)/);
    assert.match(text, /ledger: oversized-accepted/);
    assert.match(text, /expected failure: \/message size \\d\+ exceeds\/s/);
    assert.match(text, /expected 'sent' to equal 'error'/);
    assert.match(text, /presigned-url-never-expires: Presigned URLs expire \(features\/storage\.feature\)/);
    assert.match(text, /no-date-header: The delivered mail carries Date and Message-ID headers .*docs\/sut-0\.7\.0\.md#no-date-no-message-id; src\/core\/mail_proxy\/smtp\/sender\.py:701-766/);
    assert.equal(verdictExitCode(v), 1);
  });

  test('JSON form carries counts, exit code and classified items', () => {
    const json = verdictToJson(v);
    assert.equal(json['exitCode'], 1);
    assert.deepEqual(json['counts'], v.counts);
    const json2 = JSON.parse(JSON.stringify(json)) as { changedFailures: { ledger: { id: string } | null }[] };
    assert.equal(json2.changedFailures.length, 4);
  });
});

describe('judge with a tag filter (--tags @known-defect)', () => {
  const envelopes = readEnvelopes(TAGGED);
  const results = scenarioResults(envelopes);
  const v = verdictOf(results, loadLedger(LEDGER), runProblems(envelopes));

  test('cucumber still emits every pickle, but only the tagged ones ran', () => {
    assert.equal(envelopes.filter((e) => e.pickle !== undefined).length, 13);
    assert.equal(results.length, 6);
    assert.ok(results.every((r) => r.tags.includes('@known-defect')));
  });

  test('ledger entries of scenarios that did not run are not counted', () => {
    assert.deepEqual(v.counts, { passed: 0, failed: 0, confirmed: 1, unexpectedPasses: 2, changedFailures: 3 });
    assert.deepEqual(v.notRun.map((e) => e.id).sort(), ['presigned-url-never-expires', 'retry-header-missing']);
    assert.match(formatVerdict(v), /not run \(2, not counted\)/);
  });
});

describe('judge rules (synthetic results)', () => {
  const KD = ['@known-defect'];

  test('plain pass/fail counting; any non-PASSED status is a failure', () => {
    const v = verdictOf(
      [
        scenario({ name: 'a' }),
        scenario({ name: 'b' }),
        scenario({ name: 'c', status: 'FAILED' }),
        scenario({ name: 'd', status: 'UNDEFINED' }),
        scenario({ name: 'e', status: 'PENDING' }),
        scenario({ name: 'f', status: 'SKIPPED' }),
      ],
      [],
    );
    assert.deepEqual(v.counts, { passed: 2, failed: 4, confirmed: 0, unexpectedPasses: 0, changedFailures: 0 });
  });

  test('known-defect outcomes; expected_failure uses flag s and is case-sensitive', () => {
    const ledger = [
      entry({ id: 'multi-line', scenario: 'm', expectedFailure: 'missing.*second line' }),
      entry({ id: 'case', scenario: 'c', expectedFailure: 'date header' }),
      entry({ id: 'pass', scenario: 'p' }),
      entry({ id: 'pending', scenario: 'pe' }),
      entry({ id: 'ambiguous', scenario: 'am' }),
    ];
    const v = verdictOf(
      [
        scenario({ name: 'm', tags: KD, status: 'FAILED', message: 'Error: Date header missing\nsecond line' }),
        scenario({ name: 'c', tags: KD, status: 'FAILED', message: 'Error: Date header missing' }),
        scenario({ name: 'p', tags: KD }),
        scenario({ name: 'pe', tags: KD, status: 'PENDING', message: 'Pending step: "Date header" is not implemented yet' }),
        scenario({ name: 'am', tags: KD, status: 'AMBIGUOUS', message: 'Multiple step definitions match: Date header' }),
      ],
      ledger,
    );
    assert.equal(classOf(v, 'm'), 'confirmed');
    assert.equal(classOf(v, 'c'), 'changed-failure');
    assert.equal(classOf(v, 'p'), 'unexpected-pass');
    assert.equal(classOf(v, 'pe'), 'changed-failure');
    assert.equal(classOf(v, 'am'), 'changed-failure');
    assert.deepEqual(v.counts, { passed: 0, failed: 0, confirmed: 1, unexpectedPasses: 1, changedFailures: 3 });
  });

  test('a ledger entry matches only the same feature uri and the exact name', () => {
    const v = verdictOf(
      [
        scenario({ name: 'Date header', tags: KD, status: 'FAILED', message: 'Error: Date header', uri: 'features/other.feature' }),
        scenario({ name: 'Date header ', tags: KD, status: 'FAILED', message: 'Error: Date header' }),
      ],
      [entry({ id: 'x', scenario: 'Date header' })],
    );
    assert.deepEqual(v.counts.changedFailures, 2);
    assert.ok(v.changedFailures.every((i) => i.reason.includes('has no entry for it')));
    assert.deepEqual(v.notRun.map((e) => e.id), ['x']);
    assert.match(formatVerdict(v), /x: Date header \(features\/demo\.feature\); a scenario with this name ran in features\/other\.feature:3/);
  });

  test('exit codes', () => {
    const ledger = [entry({ id: 'kd', scenario: 'k' })];
    const confirmed = scenario({ name: 'k', tags: KD, status: 'FAILED', message: 'AssertionError: Date header missing' });
    const green = verdictOf([scenario({ name: 'a' }), confirmed], ledger);
    assert.deepEqual(green.counts, { passed: 1, failed: 0, confirmed: 1, unexpectedPasses: 0, changedFailures: 0 });
    assert.equal(verdictExitCode(green), 0);
    assert.equal(verdictExitCode(verdictOf([scenario({ name: 'a' }), scenario({ name: 'b', status: 'FAILED' })], [])), 1);
    assert.equal(verdictExitCode(verdictOf([scenario({ name: 'k', tags: KD })], ledger)), 1); // U
    assert.equal(verdictExitCode(verdictOf([scenario({ name: 'z', tags: KD, status: 'FAILED' })], [])), 1); // D
    assert.equal(verdictExitCode(verdictOf([], ledger)), 1); // nothing ran
    assert.equal(verdictExitCode(verdictOf([scenario({ name: 'a' })], [], ['AfterAll hook failed'])), 1);
  });

  test('the two closing lines are exactly the counts', () => {
    const ledger = [entry({ id: 'kd', scenario: 'k' }), entry({ id: 'kd2', scenario: 'k2' })];
    const v = verdictOf(
      [
        scenario({ name: 'a' }),
        scenario({ name: 'b', status: 'FAILED' }),
        scenario({ name: 'k', tags: KD, status: 'FAILED', message: 'Error: Date header missing' }),
        scenario({ name: 'k2', tags: KD }),
        scenario({ name: 'u', tags: KD, status: 'FAILED' }),
      ],
      ledger,
    );
    const text = formatVerdict(v);
    assert.ok(!text.endsWith('\n'));
    assert.deepEqual(lastTwoLines(text), ['acceptance: 1 passed, 1 failed', 'known defects: 1 confirmed, 1 unexpected passes, 1 changed failures']);
    const lines = text.split('\n');
    assert.match(lines[lines.length - 2] ?? '', /^acceptance: \d+ passed, \d+ failed$/);
    assert.match(lines[lines.length - 1] ?? '', /^known defects: \d+ confirmed, \d+ unexpected passes, \d+ changed failures$/);
  });

  test('long messages are trimmed to about 400 characters', () => {
    const v = verdictOf([scenario({ name: 'long', status: 'FAILED', message: `Error: ${'x'.repeat(1000)}` })], []);
    const text = formatVerdict(v);
    assert.match(text, /x{393}\.\.\. \[607 more chars\]/);
    assert.doesNotMatch(text, /x{401}/);
  });
});

describe('reading the messages file', () => {
  test('missing and empty files', () => {
    assert.throws(
      () => readEnvelopes(join(tmp, 'nope.ndjson')),
      (err: unknown) => err instanceof MessagesError && err.kind === 'missing' && /nope\.ndjson does not exist/.test(err.message),
    );
    const empty = join(tmp, 'empty.ndjson');
    writeFileSync(empty, '\n');
    assert.throws(
      () => readEnvelopes(empty),
      (err: unknown) => err instanceof MessagesError && err.kind === 'empty' && /empty: cucumber crashed before running anything/.test(err.message),
    );
  });

  test('a file cut mid-line is reported as truncated', () => {
    const text = readFileSync(RUN, 'utf8');
    const cut = join(tmp, 'cut.ndjson');
    writeFileSync(cut, text.slice(0, Math.floor(text.length / 2)));
    assert.throws(
      () => readEnvelopes(cut),
      (err: unknown) => err instanceof MessagesError && err.kind === 'invalid' && /line \d+ is not valid JSON.*truncated/.test(err.message),
    );
  });

  test('a run that stops mid-way: unfinished scenario is UNKNOWN and the run is flagged', () => {
    const envelopes = readEnvelopes(RUN);
    // Cut right after the first testCaseStarted of the second test case.
    const starts = envelopes.map((e, i) => (e.testCaseStarted !== undefined ? i : -1)).filter((i) => i >= 0);
    const cutAt = (starts[1] ?? 0) + 1;
    const partial = envelopes.slice(0, cutAt);
    const results = scenarioResults(partial);
    assert.equal(results.length, 2);
    assert.equal(results[0]?.status, 'PASSED');
    assert.equal(results[1]?.status, 'UNKNOWN');
    const problems = runProblems(partial);
    assert.ok(problems.some((p) => /before testRunFinished/.test(p)));
    assert.equal(verdictExitCode(verdictOf(results, [], problems)), 1);
  });

  test('zero scenarios ran', () => {
    const envelopes = readEnvelopes(NONE);
    assert.ok(envelopes.some((e) => e.pickle !== undefined)); // pickles are still emitted
    const v = verdictOf(scenarioResults(envelopes), loadLedger(LEDGER), runProblems(envelopes));
    assert.equal(v.scenariosRun, 0);
    assert.equal(v.notRun.length, 7);
    const text = formatVerdict(v);
    assert.match(text, /no scenario ran/);
    assert.deepEqual(lastTwoLines(text), ['acceptance: 0 passed, 0 failed', 'known defects: 0 confirmed, 0 unexpected passes, 0 changed failures']);
    assert.equal(verdictExitCode(v), 1);
  });
});

describe('tools/verdict.ts CLI', () => {
  function cli(args: string[]): { code: number | null; out: string } {
    const r = spawnSync(process.execPath, ['--import', './test/register.mjs', 'tools/verdict.ts', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  }

  test('judges a run, prints the verdict and writes JSON', () => {
    const json = join(tmp, 'out/verdict.json');
    const r = cli(['--messages', RUN, '--ledger', LEDGER, '--json', json]);
    assert.equal(r.code, 1);
    assert.deepEqual(lastTwoLines(r.out), ['acceptance: 3 passed, 3 failed', 'known defects: 1 confirmed, 2 unexpected passes, 4 changed failures']);
    const written = JSON.parse(readFileSync(json, 'utf8')) as { exitCode: number; counts: Record<string, number> };
    assert.equal(written.exitCode, 1);
    assert.equal(written.counts['confirmed'], 1);
  });

  test('exit 0 when everything passed and every known defect was confirmed', () => {
    const green = writeNdjson(
      'green.ndjson',
      onlyScenarios(readEnvelopes(RUN), ['A plain message is delivered', 'The delivered mail carries Date and Message-ID headers']),
    );
    const ledgerPath = join(tmp, 'green-ledger.yaml');
    writeFileSync(
      ledgerPath,
      readFileSync(LEDGER, 'utf8').split('  - id: unicode-subject-mangled')[0] ?? '',
    );
    const r = cli(['--messages', green, '--ledger', ledgerPath, '--json', join(tmp, 'green.json')]);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(lastTwoLines(r.out), ['acceptance: 1 passed, 0 failed', 'known defects: 1 confirmed, 0 unexpected passes, 0 changed failures']);
  });

  test('missing or empty messages file: says so and exits 1', () => {
    const missing = cli(['--messages', join(tmp, 'absent.ndjson'), '--ledger', LEDGER, '--json', join(tmp, 'm.json')]);
    assert.equal(missing.code, 1);
    assert.match(missing.out, /absent\.ndjson is missing/);
    const emptyPath = join(tmp, 'empty2.ndjson');
    writeFileSync(emptyPath, '');
    const empty = cli(['--messages', emptyPath, '--ledger', LEDGER, '--json', join(tmp, 'e.json')]);
    assert.equal(empty.code, 1);
    assert.match(empty.out, /empty2\.ndjson is empty/);
  });

  test('zero scenarios: zero counts, a "no scenario ran" line, exit 1', () => {
    const r = cli(['--messages', NONE, '--ledger', LEDGER, '--json', join(tmp, 'n.json')]);
    assert.equal(r.code, 1);
    assert.match(r.out, /no scenario ran/);
    assert.deepEqual(lastTwoLines(r.out), ['acceptance: 0 passed, 0 failed', 'known defects: 0 confirmed, 0 unexpected passes, 0 changed failures']);
  });

  test('an invalid ledger fails the run with the ledger error', () => {
    const bad = join(tmp, 'bad-ledger.yaml');
    writeFileSync(bad, 'defects:\n  - id: x\n');
    const r = cli(['--messages', RUN, '--ledger', bad, '--json', join(tmp, 'b.json')]);
    assert.equal(r.code, 1);
    assert.match(r.out, /bad-ledger\.yaml: defects\[0\] \(entry 1, id "x", line 2\): field "feature" is missing/);
  });
});

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LedgerError, expectedFailurePattern, loadLedger, parseLedger } from '../support/base/ledger.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FILE = 'known-defects.yaml';

const GOOD_ENTRY = `  - id: no-date-header
    feature: features/delivery.feature
    scenario: "The delivered mail carries Date and Message-ID headers"
    defect: "0.7.0 adds no Date and no Message-ID header to outgoing mail."
    when_fixed: "What a correct proxy gives instead (test fixture)."
    sut_ref: "docs/sut-0.7.0.md#no-date-no-message-id; src/core/mail_proxy/smtp/sender.py:701-766"
    expected_failure: "Date header"
`;

/** Asserts that parsing throws a LedgerError whose message matches every pattern. */
function assertLedgerError(text: string, ...patterns: RegExp[]): LedgerError {
  let caught: unknown;
  try {
    parseLedger(text, FILE);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof LedgerError, `expected a LedgerError, got ${String(caught)}`);
  assert.ok(caught.message.startsWith(`${FILE}: `), caught.message);
  for (const p of patterns) assert.match(caught.message, p);
  return caught;
}

describe('valid ledgers', () => {
  test('the repo ledger loads and is valid', () => {
    // Others add entries over time; whatever is there must pass validation.
    const entries = loadLedger(join(ROOT, 'known-defects.yaml'));
    assert.ok(Array.isArray(entries));
    for (const e of entries) {
      for (const v of [e.id, e.feature, e.scenario, e.defect, e.whenFixed, e.sutRef, e.expectedFailure]) assert.ok(v.trim() !== '');
    }
  });

  test('an entry loads with all fields, its index and line', () => {
    const entries = parseLedger(`# comment\ndefects:\n${GOOD_ENTRY}`, FILE);
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0], {
      id: 'no-date-header',
      feature: 'features/delivery.feature',
      scenario: 'The delivered mail carries Date and Message-ID headers',
      defect: '0.7.0 adds no Date and no Message-ID header to outgoing mail.',
      whenFixed: 'What a correct proxy gives instead (test fixture).',
      sutRef: 'docs/sut-0.7.0.md#no-date-no-message-id; src/core/mail_proxy/smtp/sender.py:701-766',
      expectedFailure: 'Date header',
      index: 0,
      line: 3,
    });
  });

  test('the fixture ledger loads; feature paths are normalised', () => {
    const entries = loadLedger(join(ROOT, 'test/fixtures/verdict/known-defects.yaml'));
    assert.equal(entries.length, 7);
    const bounce = entries.find((e) => e.id === 'hard-bounce-lost');
    assert.equal(bounce?.feature, 'features/delivery.feature'); // written as ./features/delivery.feature
    assert.equal(entries.find((e) => e.id === 'oversized-accepted')?.expectedFailure, 'message size \\d+ exceeds');
  });

  test('expected_failure is compiled with flag s, case-sensitive', () => {
    const re = expectedFailurePattern({ expectedFailure: 'Date.*Message-ID' });
    assert.equal(re.flags, 's');
    assert.ok(re.test('no Date\nno Message-ID'));
    assert.ok(!expectedFailurePattern({ expectedFailure: 'date header' }).test('Date header'));
  });
});

describe('malformed ledgers name the file, the entry and the field', () => {
  test('missing field', () => {
    const text = `defects:\n${GOOD_ENTRY}${GOOD_ENTRY.replace('no-date-header', 'second').replace(/ {4}sut_ref:.*\n/, '').replace('Date and', 'Date or')}`;
    assertLedgerError(text, /defects\[1\] \(entry 2, id "second", line 9\): field "sut_ref" is missing/);
  });

  test('an entry without when_fixed (what a fixed release must show) is refused', () => {
    const text = `defects:\n${GOOD_ENTRY.replace(/ {4}when_fixed:.*\n/, '')}`;
    assertLedgerError(text, /defects\[0\] \(entry 1, id "no-date-header", line 2\): field "when_fixed" is missing/);
  });

  test('missing id: the entry is named by its index', () => {
    const e = assertLedgerError(`defects:\n${GOOD_ENTRY.replace(/ {2}- id: no-date-header\n {4}/, '  - ')}`, /defects\[0\] \(entry 1, line 2\): field "id" is missing/);
    assert.equal(e.problems.length, 1);
  });

  test('empty and non-string fields', () => {
    assertLedgerError(
      `defects:\n${GOOD_ENTRY.replace('defect: "0.7.0 adds no Date and no Message-ID header to outgoing mail."', 'defect: ""').replace('expected_failure: "Date header"', 'expected_failure: 42')}`,
      /defects\[0\] \(entry 1, id "no-date-header", line 2\): field "defect" is empty/,
      /defects\[0\] \(entry 1, id "no-date-header", line 2\): field "expected_failure" must be a string, got number 42/,
    );
  });

  test('duplicate id', () => {
    const second = GOOD_ENTRY.replace('Date and Message-ID', 'other');
    assertLedgerError(`defects:\n${GOOD_ENTRY}${second}`, /defects\[1\] \(entry 2, id "no-date-header", line 9\): field "id": duplicate id "no-date-header" \(already used by defects\[0\]\)/);
  });

  test('duplicate feature + scenario', () => {
    const second = GOOD_ENTRY.replace('id: no-date-header', 'id: again');
    assertLedgerError(`defects:\n${GOOD_ENTRY}${second}`, /defects\[1\] \(entry 2, id "again", line 9\): field "scenario": features\/delivery\.feature \/ "The delivered mail carries Date and Message-ID headers" already has an entry \(defects\[0\], id "no-date-header"\)/);
  });

  test('bad regex', () => {
    assertLedgerError(
      `defects:\n${GOOD_ENTRY.replace('expected_failure: "Date header"', 'expected_failure: "Date (header"')}`,
      /defects\[0\] \(entry 1, id "no-date-header", line 2\): field "expected_failure" is not a valid JavaScript RegExp \(flags "s"\): Invalid regular expression/,
    );
  });

  test('defects is not a list', () => {
    assertLedgerError('defects:\n  id: x\n', /"defects" is a mapping, not a list/);
    assertLedgerError('defects:\n', /"defects" is null, not a list.*defects: \[\]/);
    assertLedgerError('defects: "none"\n', /"defects" is string "none", not a list/);
  });

  test('an entry that is not a mapping', () => {
    assertLedgerError('defects:\n  - just-a-string\n', /defects\[0\] \(entry 1, line 2\): each entry must be a mapping .*got string "just-a-string"/);
  });

  test('bad YAML', () => {
    assertLedgerError('defects:\n  - id: "unterminated\n    feature: x\n', /^known-defects\.yaml: invalid YAML: .*line \d+/m);
    assertLedgerError('defects: []\ndefects: []\n', /invalid YAML: .*[Uu]nique/);
  });

  test('wrong top level', () => {
    assertLedgerError('', /the file is empty/);
    assertLedgerError('- id: x\n', /top level is a list; the ledger must be a mapping with a single key "defects:"/);
    assertLedgerError('defect: []\n', /unknown top-level key "defect"/, /key "defects" is missing/);
  });

  test('unknown field, non-kebab id, bad feature path, padded scenario name', () => {
    assertLedgerError(
      `defects:\n${GOOD_ENTRY.replace('expected_failure:', 'expected_failur: "x"\n    expected_failure:')}`,
      /defects\[0\] \(entry 1, id "no-date-header", line 2\): field "expected_failur" is not a ledger field/,
    );
    assertLedgerError(`defects:\n${GOOD_ENTRY.replace('id: no-date-header', 'id: No_Date')}`, /defects\[0\] \(entry 1, id "No_Date", line 2\): field "id" must be kebab-case/);
    assertLedgerError(`defects:\n${GOOD_ENTRY.replace('feature: features/delivery.feature', 'feature: /abs/delivery.feature')}`, /field "feature" must be a path relative to the repo root/);
    assertLedgerError(`defects:\n${GOOD_ENTRY.replace('feature: features/delivery.feature', 'feature: features/delivery.md')}`, /field "feature" must name a \.feature file/);
    assertLedgerError(`defects:\n${GOOD_ENTRY.replace('scenario: "The', 'scenario: " The')}`, /field "scenario" has leading or trailing whitespace/);
  });

  test('every problem is reported, one per line', () => {
    const e = assertLedgerError(`defects:\n  - id: a\n  - id: b\n    feature: features/x.feature\n`);
    assert.ok(e.problems.length >= 9, e.message);
    assert.ok(e.problems.every((p) => p.startsWith(`${FILE}: defects[`)));
    assert.equal(e.message.split('\n').length, e.problems.length);
  });

  test('an unreadable file names the path', () => {
    assert.throws(() => loadLedger('/nonexistent/known-defects.yaml'), (err: unknown) => err instanceof LedgerError && /^\/nonexistent\/known-defects\.yaml: cannot read/.test(err.message));
  });
});

import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { CsvFixtureError, loadCsvScenarios, parseCsvScenarios, type CsvScenarioRow } from '../support/mail/csv-fixture.js';

const DIR = fileURLToPath(new URL('./fixtures/csv/', import.meta.url));
const HEADER = 'id,from,to,subject,body,expected_status,simulate_bounce';

/** Fixture path as the loader shows it in messages (relative to the cwd when inside it). */
function shown(name: string): string {
  const rel = relative(process.cwd(), DIR + name);
  return rel.startsWith('..') ? DIR + name : rel.split('\\').join('/');
}

function loadError(name: string, opts?: { allowBounces?: boolean }): CsvFixtureError {
  let caught: unknown;
  try {
    loadCsvScenarios(DIR + name, opts);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof CsvFixtureError, `expected a CsvFixtureError for ${name}, got ${String(caught)}`);
  for (const p of caught.problems) assert.ok(p.startsWith(`${shown(name)}: line `), p);
  return caught;
}

function parseError(text: string): CsvFixtureError {
  try {
    parseCsvScenarios(text, 'features/fixtures/x.csv');
  } catch (err) {
    assert.ok(err instanceof CsvFixtureError, String(err));
    return err;
  }
  assert.fail('expected a CsvFixtureError');
}

describe('valid CSV fixtures', () => {
  test('rows load with the right types and line numbers', () => {
    const rows = loadCsvScenarios(DIR + 'valid.csv');
    const expected: CsvScenarioRow[] = [
      {
        id: 'plain',
        from: 'sender@example.test',
        to: ['rcpt@example.test'],
        subject: 'Hello',
        body: 'Plain body',
        expectedStatus: 'sent',
        simulateBounce: null,
        line: 2,
      },
      {
        id: 'two-recipients',
        from: 'sender@example.test',
        to: ['a@example.test', 'b@example.test'],
        subject: 'Two',
        body: 'Body with a comma, and a\nsecond line',
        expectedStatus: 'error',
        simulateBounce: null,
        line: 4, // line 3 is blank
      },
      {
        id: 'semicolons',
        from: 'sender@example.test', // trimmed
        to: ['a@example.test', 'b@example.test', 'c@example.test'], // ';' separated, empty part dropped
        subject: 'Quoted "subject"',
        body: '',
        expectedStatus: 'deferred',
        simulateBounce: null,
        line: 6, // the quoted body above spans lines 4-5
      },
      {
        id: 'queued',
        from: 'sender@example.test',
        to: ['rcpt@example.test'],
        subject: 'Later',
        body: 'Queued body',
        expectedStatus: 'pending',
        simulateBounce: null,
        line: 7,
      },
    ];
    assert.deepEqual(rows, expected);
  });

  test('column order is free; CRLF files with blank lines get the right line numbers', () => {
    const rows = loadCsvScenarios(DIR + 'valid-crlf.csv');
    assert.deepEqual(
      rows.map((r) => [r.id, r.line, r.expectedStatus]),
      [
        ['crlf-1', 3, 'sent'],
        ['crlf-2', 7, 'error'],
      ],
    );
  });
});

describe('malformed CSV: file, line and column are named', () => {
  test('unclosed quote: the line and field where the quote opens', () => {
    const e = loadError('unclosed-quote.csv');
    assert.equal(e.problems.length, 1);
    assert.match(e.message, /^.*unclosed-quote\.csv: line 3, column 4 \(subject\): Quote Not Closed: .*\(the quote opened on line 3, character 38, is never closed\)$/);
  });

  test('invalid closing quote (after a blank line)', () => {
    const e = loadError('bad-closing-quote.csv');
    assert.match(e.message, /bad-closing-quote\.csv: line 4, column 4 \(subject\): Invalid Closing Quote: got "e"/);
  });

  test('wrong column count: too few fields', () => {
    const e = loadError('wrong-column-count.csv');
    assert.match(
      e.message,
      /wrong-column-count\.csv: line 4, column 6 \(expected_status\): Invalid Record Length: columns length is 7, got 5 .*\(first missing column: expected_status\)/,
    );
  });

  test('wrong column count: too many fields', () => {
    const e = loadError('too-many-columns.csv');
    assert.match(e.message, /too-many-columns\.csv: line 2, column 8 \(extra field\): Invalid Record Length: columns length is 7, got 8/);
  });

  test('missing column', () => {
    const e = loadError('missing-column.csv');
    assert.match(e.message, /missing-column\.csv: line 1: missing column "simulate_bounce"/);
  });

  test('unknown column', () => {
    const e = loadError('unknown-column.csv');
    assert.match(e.message, /unknown-column\.csv: line 1, column 8: unknown column "priority"/);
  });

  test('duplicate and empty header names', () => {
    assert.match(parseError(`${HEADER},id\n`).message, /^features\/fixtures\/x\.csv: line 1, column 8: duplicate column "id" \(also column 1\)/);
    assert.match(parseError(`${HEADER},\n`).message, /^features\/fixtures\/x\.csv: line 1, column 8: empty column name/);
  });

  test('a quote error in the header line', () => {
    assert.match(parseError('id,"from"x,to\n').message, /^features\/fixtures\/x\.csv: line 1, column 2: Invalid Closing Quote/);
  });

  test('empty file', () => {
    assert.match(parseError('\n\n').message, /^features\/fixtures\/x\.csv: line 1: the file is empty/);
  });

  test('line numbers stay right after a CRLF inside a quoted field (csv-parse\'s own counter drifts there)', () => {
    const text = `${HEADER}\r\nok,s@x.test,r@x.test,S,"two\r\nlines",sent,\r\nbad,s@x.test,r@x.test,"S"x,B,sent,\r\n`;
    // csv-parse counts the \r and the \n of the quoted line break separately:
    assert.throws(() => parse(text, { columns: true, trim: true, skip_empty_lines: true, relax_column_count: false }), /at line 5 /);
    assert.match(parseError(text).message, /^features\/fixtures\/x\.csv: line 4, column 4 \(subject\): Invalid Closing Quote/);
  });
});

describe('row validation', () => {
  test('bad expected_status, bad simulate_bounce, required cells: every problem listed', () => {
    const e = loadError('bad-values.csv');
    assert.deepEqual(
      e.problems.map((p) => p.slice(shown('bad-values.csv').length + 2)),
      [
        'line 3 (id bad-status), column expected_status: must be one of sent, error, deferred, pending; got "delivered"',
        'line 4 (id bad-bounce), column simulate_bounce: must be empty, hard or soft; got "maybe"',
        'line 5 (id no-subject), column subject: subject is required but empty',
        'line 6 (id no-recipient), column to: no recipient in ";"',
        'line 7, column id: id is required but empty',
      ],
    );
  });

  test('duplicate id', () => {
    const e = loadError('duplicate-id.csv');
    assert.deepEqual(e.problems, [`${shown('duplicate-id.csv')}: line 4 (id same), column id: duplicate id "same" (first used on line 2)`]);
  });

  test('bounce rows are refused by default', () => {
    const e = loadError('bounces.csv');
    assert.deepEqual(e.problems, [
      `${shown('bounces.csv')}: line 3 (id bounce-hard): simulate_bounce=hard rows run only in the bounce features; move the row to features/fixtures/bounce-scenarios.csv (read by features/bounces.feature)`,
      `${shown('bounces.csv')}: line 4 (id bounce-soft): simulate_bounce=soft rows run only in the bounce features; move the row to features/fixtures/bounce-scenarios.csv (read by features/bounces.feature)`,
    ]);
  });

  test('bounce rows load with allowBounces', () => {
    const rows = loadCsvScenarios(DIR + 'bounces.csv', { allowBounces: true });
    assert.deepEqual(
      rows.map((r) => [r.id, r.simulateBounce, r.expectedStatus, r.line]),
      [
        ['plain', null, 'sent', 2],
        ['bounce-hard', 'hard', 'error', 3],
        ['bounce-soft', 'soft', 'deferred', 4],
      ],
    );
  });

  test('a missing file names the path', () => {
    assert.throws(() => loadCsvScenarios(DIR + 'nope.csv'), (err: unknown) => err instanceof CsvFixtureError && /nope\.csv: cannot read the CSV fixture/.test(err.message));
  });
});

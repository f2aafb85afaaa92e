// Loads the CSV scenario fixtures (e.g. features/fixtures/delivery-scenarios.csv)
// that data-driven feature files read. Every error names the file, the line and
// the column, so a broken fixture is fixed in one look.
//
// csv-parse's CsvError carries `lines` (its own 1-based line counter, which
// counts a CRLF inside a quoted field as two lines, and points past the end
// for an unclosed quote), `index` (0-based field position in
// the record), `column` (the column name once the header is known), `records`
// (records emitted so far, header excluded once `columns` is an array) and
// byte counters that are not usable as positions. So line numbers here come
// from a small quote-aware scan of the text, and the column is the 1-based
// field position plus its header name.
import { ProblemsError } from '../base/problems-error.js';
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';

export const CSV_COLUMNS = ['id', 'from', 'to', 'subject', 'body', 'expected_status', 'simulate_bounce'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

export const EXPECTED_STATUSES = ['sent', 'error', 'deferred', 'pending'] as const;
export type ExpectedStatus = (typeof EXPECTED_STATUSES)[number];

export const BOUNCE_KINDS = ['hard', 'soft'] as const;
export type BounceKind = (typeof BOUNCE_KINDS)[number];

export interface CsvScenarioRow {
  id: string;
  from: string;
  /** Recipients: the `to` cell split on ',' or ';', trimmed, empty parts dropped. */
  to: string[];
  subject: string;
  body: string;
  expectedStatus: ExpectedStatus;
  simulateBounce: BounceKind | null;
  /** 1-based line of the row in the CSV file. */
  line: number;
}

export interface LoadCsvOptions {
  /** Accept rows with a non-empty simulate_bounce: only the bounce features (features/bounces.feature) do. */
  allowBounces?: boolean;
}

/** One line per problem, each starting with `<file>: line N`. */
export class CsvFixtureError extends ProblemsError {
  constructor(problems: string[]) {
    super('CsvFixtureError', problems);
  }
}

const PARSE_OPTIONS = {
  columns: true,
  trim: true,
  skip_empty_lines: true,
  relax_column_count: false,
  bom: true,
} as const;

function displayPath(path: string): string {
  const rel = relative(process.cwd(), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : path;
}

interface Scan {
  /** 1-based line where each non-blank record starts (index 0 = header). */
  recordLines: number[];
  /** Position of a quote that is never closed, if any. */
  unclosedQuote: { line: number; column: number } | null;
}

/** Quote-aware walk over the text that finds where each non-blank record starts. */
function scanRecords(text: string): Scan {
  const recordLines: number[] = [];
  let line = 1;
  let column = 1;
  let inQuote = false;
  let quoteAt: { line: number; column: number } | null = null;
  let recordLine: number | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (inQuote) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          i++;
          column += 2;
          continue;
        }
        inQuote = false;
      } else if (ch === '\n') {
        line++;
        column = 1;
        continue;
      }
      column++;
      continue;
    }
    if (ch === '\n') {
      if (recordLine !== null) recordLines.push(recordLine);
      recordLine = null;
      line++;
      column = 1;
      continue;
    }
    if (ch === '"') {
      inQuote = true;
      quoteAt = { line, column };
    }
    if (recordLine === null && ch.trim() !== '') recordLine = line;
    column++;
  }
  if (recordLine !== null) recordLines.push(recordLine);
  return { recordLines, unclosedQuote: inQuote ? quoteAt : null };
}

function csvErrorMessage(err: CsvError, file: string, scan: Scan): string {
  const columns = Array.isArray(err['columns']) ? (err['columns'] as { name?: unknown }[]) : null;
  const names = columns?.map((c) => (typeof c.name === 'string' ? c.name : '')) ?? null;
  const records = typeof err['records'] === 'number' ? err['records'] : 0;
  const recordIndex = records + (names !== null ? 1 : 0);
  const csvLine = typeof err['lines'] === 'number' ? err['lines'] : null;
  let line = scan.recordLines[recordIndex] ?? csvLine;
  const fieldIndex = typeof err['index'] === 'number' ? err['index'] : null;

  let column: number | null = fieldIndex !== null ? fieldIndex + 1 : null;
  let name: string | null = typeof err['column'] === 'string' ? err['column'] : null;
  let extra = '';
  if (err.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' && names !== null) {
    const got = Array.isArray(err['record']) ? err['record'].length : (fieldIndex ?? 0);
    if (got > names.length) {
      column = names.length + 1;
      name = 'extra field';
    } else {
      column = got + 1;
      name = names[got] ?? null;
      extra = ` (first missing column: ${name ?? column})`;
    }
  }
  if (err.code === 'CSV_QUOTE_NOT_CLOSED' && scan.unclosedQuote !== null) {
    line = scan.unclosedQuote.line;
    extra = ` (the quote opened on line ${scan.unclosedQuote.line}, character ${scan.unclosedQuote.column}, is never closed)`;
  }
  const where = `line ${line ?? '?'}${column !== null ? `, column ${column}${name !== null && name !== '' ? ` (${name})` : ''}` : ''}`;
  return `${file}: ${where}: ${err.message}${extra}`;
}

function parseOrExplain<T>(run: () => T, file: string, scan: Scan): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof CsvError) throw new CsvFixtureError([csvErrorMessage(err, file, scan)]);
    throw err;
  }
}

function checkHeader(header: string[], file: string, line: number): void {
  const problems: string[] = [];
  const expected = `the header must have exactly these columns, in any order: ${CSV_COLUMNS.join(',')}`;
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    const where = `${file}: line ${line}, column ${i + 1}`;
    if (name === '') problems.push(`${where}: empty column name; ${expected}`);
    else if (!(CSV_COLUMNS as readonly string[]).includes(name)) problems.push(`${where}: unknown column "${name}"; ${expected}`);
    else if (seen.has(name)) problems.push(`${where}: duplicate column "${name}" (also column ${seen.get(name) ?? '?'})`);
    if (!seen.has(name)) seen.set(name, i + 1);
  });
  for (const name of CSV_COLUMNS) {
    if (!seen.has(name)) problems.push(`${file}: line ${line}: missing column "${name}"; ${expected}`);
  }
  if (problems.length > 0) throw new CsvFixtureError(problems);
}

/** Parses CSV text; `path` is used in error messages only. */
export function parseCsvScenarios(text: string, path: string, opts: LoadCsvOptions = {}): CsvScenarioRow[] {
  const file = displayPath(path);
  const scan = scanRecords(text);

  const head = parseOrExplain(() => parse(text, { trim: true, skip_empty_lines: true, bom: true, to: 1 }), file, scan);
  const header = head[0];
  if (header === undefined) {
    throw new CsvFixtureError([`${file}: line 1: the file is empty; expected a header line with the columns ${CSV_COLUMNS.join(',')}`]);
  }
  const headerLine = scan.recordLines[0] ?? 1;
  checkHeader(header, file, headerLine);

  const records = parseOrExplain(() => parse<Record<string, string>>(text, PARSE_OPTIONS), file, scan);

  const problems: string[] = [];
  const rows: CsvScenarioRow[] = [];
  const idLines = new Map<string, number>();
  records.forEach((rec, i) => {
    const line = scan.recordLines[i + 1] ?? -1;
    const cell = (c: CsvColumn): string => rec[c] ?? '';
    const id = cell('id');
    const at = line > 0 ? `line ${line}` : `record ${i + 1}`;
    const rowRef = `${file}: ${at}${id !== '' ? ` (id ${id})` : ''}`;
    const before = problems.length;
    const bad = (column: CsvColumn, what: string): void => {
      problems.push(`${rowRef}, column ${column}: ${what}`);
    };

    for (const c of ['id', 'from', 'to', 'subject'] as const) {
      if (cell(c) === '') bad(c, `${c} is required but empty`);
    }
    const to = cell('to')
      .split(/[,;]/)
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (cell('to') !== '' && to.length === 0) bad('to', `no recipient in ${JSON.stringify(cell('to'))}`);

    const status = cell('expected_status');
    if (!(EXPECTED_STATUSES as readonly string[]).includes(status)) {
      bad('expected_status', `must be one of ${EXPECTED_STATUSES.join(', ')}; got ${JSON.stringify(status)}`);
    }
    const bounce = cell('simulate_bounce');
    if (bounce !== '' && !(BOUNCE_KINDS as readonly string[]).includes(bounce)) {
      bad('simulate_bounce', `must be empty, hard or soft; got ${JSON.stringify(bounce)}`);
    }

    if (id !== '') {
      const first = idLines.get(id);
      if (first !== undefined) bad('id', `duplicate id "${id}" (first used on line ${first})`);
      else idLines.set(id, line);
    }

    if (problems.length === before && bounce !== '' && opts.allowBounces !== true) {
      problems.push(
        `${file}: ${at} (id ${id}): simulate_bounce=${bounce} rows run only in the bounce features; ` +
          'move the row to features/fixtures/bounce-scenarios.csv (read by features/bounces.feature)',
      );
    }
    if (problems.length > before) return;

    rows.push({
      id,
      from: cell('from'),
      to,
      subject: cell('subject'),
      body: cell('body'),
      expectedStatus: status as ExpectedStatus,
      simulateBounce: bounce === '' ? null : (bounce as BounceKind),
      line,
    });
  });

  if (problems.length > 0) throw new CsvFixtureError(problems);
  return rows;
}

/** Reads and validates a CSV scenario fixture. Throws CsvFixtureError naming file, line and column. */
export function loadCsvScenarios(path: string, opts: LoadCsvOptions = {}): CsvScenarioRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CsvFixtureError([`${displayPath(path)}: cannot read the CSV fixture: ${err instanceof Error ? err.message : String(err)}`]);
  }
  return parseCsvScenarios(text, path, opts);
}

/**
 * docs/coverage.md read as data: the rows of its area tables (one documented behaviour
 * each), the scenarios they cite, the known defects they name, and the summary table.
 * Pure functions on the Markdown text; the command-line tools (tools/coverage-tags.ts,
 * tools/coverage-summary.ts) and test/coverage.test.ts are built on them.
 *
 * A scenario citation is `features/<file>.feature "<exact scenario name>"`; the name runs to
 * the last `"` before the next `<br>` or the end of the cell (names may contain quotes). A
 * known defect is cited as `known defect <id>`. Both are written by tools/coverage/tags.ts
 * from the scenarios' `@doc-<row>` tags, never by hand: no citation carries a line number.
 */
export type Outcome = 'covered' | 'known defect' | 'not covered';

export interface Citation {
  feature: string;
  name: string;
  /** 1-based line of docs/coverage.md that holds it. */
  docLine: number;
}

export interface CoverageRow {
  /** The area's heading without its "## ": "A. Submitting messages and the API surface". */
  area: string;
  /** "A1". */
  id: string;
  starred: boolean;
  /** The Outcome cell as written. */
  outcome: string;
  kind: Outcome;
  /** A not-covered row whose reason is "not yet written". */
  notYetWritten: boolean;
  scenarios: Citation[];
  knownDefects: string[];
  docLine: number;
}

export interface AreaCounts {
  area: string;
  rows: number;
  covered: number;
  knownDefect: number;
  notCovered: number;
  notYetWritten: number;
  starred: number;
}

/** A citation in the text: the path and the name, to the last quote before `<br>` or the end of the cell. */
export const CITATION = /features\/([\w.-]+\.feature) "((?:(?!<br>|\s\|).)*)"(?=\s*(?:<br>|\|))/g;
const KNOWN_DEFECT = /known defect ([a-z0-9]+(?:-[a-z0-9]+)*)/g;
const AREA_HEADING = /^## ([A-Z])\. (.+?)\s*$/;

function cells(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
}

/** Every scenario citation in the text, with the line of the document it is on. */
export function citations(markdown: string): Citation[] {
  return markdown.split('\n').flatMap((text, i) =>
    [...text.matchAll(CITATION)].map((m) => ({ feature: `features/${m[1]}`, name: m[2]!, docLine: i + 1 })),
  );
}

/** The rows of the area tables (sections "## A. ...", "## B. ...", ...). */
export function coverageRows(markdown: string): CoverageRow[] {
  const rows: CoverageRow[] = [];
  let area: string | undefined;
  markdown.split('\n').forEach((text, i) => {
    if (text.startsWith('## ')) area = AREA_HEADING.exec(text) ? text.slice(3).trim() : undefined;
    if (!area || !text.startsWith('|')) return;
    const [first, , , outcome] = cells(text);
    const head = /^([A-Z]\d+)( ★)?$/.exec(first ?? '');
    if (!head || outcome === undefined) return;
    const scenarios = [...`${outcome} |`.matchAll(CITATION)].map((m) => ({ feature: `features/${m[1]}`, name: m[2]!, docLine: i + 1 }));
    const knownDefects = [...outcome.matchAll(KNOWN_DEFECT)].map((m) => m[1]!);
    const notCovered = outcome.startsWith('not covered:');
    const kind: Outcome = knownDefects.length > 0 ? 'known defect' : notCovered || scenarios.length === 0 ? 'not covered' : 'covered';
    rows.push({
      area,
      id: head[1]!,
      starred: head[2] !== undefined,
      outcome,
      kind,
      notYetWritten: notCovered && outcome.startsWith('not covered: not yet written'),
      scenarios,
      knownDefects,
      docLine: i + 1,
    });
  });
  return rows;
}

/** Counts per area, in the order of the document, from the rows themselves. */
export function countRows(rows: readonly CoverageRow[]): AreaCounts[] {
  const byArea = new Map<string, AreaCounts>();
  for (const row of rows) {
    const counts = byArea.get(row.area) ?? { area: row.area, rows: 0, covered: 0, knownDefect: 0, notCovered: 0, notYetWritten: 0, starred: 0 };
    counts.rows += 1;
    if (row.kind === 'covered') counts.covered += 1;
    if (row.kind === 'known defect') counts.knownDefect += 1;
    if (row.kind === 'not covered') counts.notCovered += 1;
    if (row.notYetWritten) counts.notYetWritten += 1;
    if (row.starred) counts.starred += 1;
    byArea.set(row.area, counts);
  }
  return [...byArea.values()];
}

export function total(counts: readonly AreaCounts[]): AreaCounts {
  const sum = (key: keyof Omit<AreaCounts, 'area'>) => counts.reduce((n, c) => n + c[key], 0);
  return { area: 'Total', rows: sum('rows'), covered: sum('covered'), knownDefect: sum('knownDefect'), notCovered: sum('notCovered'), notYetWritten: sum('notYetWritten'), starred: sum('starred') };
}

/** The summary table as the document writes it (area rows and the Total row), read back as numbers. */
export function summaryTable(markdown: string): AreaCounts[] {
  const out: AreaCounts[] = [];
  let inSummary = false;
  for (const text of markdown.split('\n')) {
    if (text.startsWith('## ')) inSummary = text.trim() === '## Summary';
    if (!inSummary || !text.startsWith('|')) continue;
    const [area, ...numbers] = cells(text).map((c) => c.replace(/\*\*/g, ''));
    if (!area || numbers.length !== 6 || !numbers.every((n) => /^\d+$/.test(n))) continue;
    const [rows, covered, knownDefect, notCovered, notYetWritten, starred] = numbers.map(Number) as [number, number, number, number, number, number];
    out.push({ area, rows, covered, knownDefect, notCovered, notYetWritten, starred });
  }
  return out;
}

function summaryLine(c: AreaCounts, bold = false): string {
  const b = (v: string | number) => (bold ? `**${v}**` : String(v));
  return `| ${b(c.area)} | ${[c.rows, c.covered, c.knownDefect, c.notCovered, c.notYetWritten, c.starred].map(b).join(' | ')} |`;
}

/** The sentence under the summary table, with its numbers. */
function notCoveredSentence(t: AreaCounts): string {
  return `Of the ${t.notCovered} rows not covered, ${t.notYetWritten} are not yet written; the other ${t.notCovered - t.notYetWritten} are`;
}

/** The header's one-line summary for product owners, with its numbers. */
export function inShortSentence(t: AreaCounts): string {
  return `of the ${t.rows} behaviours the 0.7.0 docs promise, ${t.covered} are checked by scenarios, ${t.knownDefect} are known defects ` +
    `(a scenario shows that 0.7.0 falls short), and ${t.notCovered} are not covered`;
}
const IN_SHORT = /of the \d+ behaviours the 0\.7\.0 docs promise, \d+ are checked by scenarios, \d+ are known defects \(a scenario shows that 0\.7\.0 falls short\), and \d+ are not covered/;

/** The text with the summary table and the sentence under it recomputed from the rows. */
export function withSummary(markdown: string): string {
  const counts = countRows(coverageRows(markdown));
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === '## Summary');
  if (start < 0) throw new Error('docs/coverage.md has no "## Summary" section');
  const header = lines.findIndex((l, i) => i > start && l.startsWith('| Area |'));
  let end = header + 2;
  while (end < lines.length && lines[end]!.startsWith('|')) end += 1;
  const table = [...counts.map((c) => summaryLine(c)), summaryLine(total(counts), true)];
  lines.splice(header + 2, end - header - 2, ...table);
  return lines
    .join('\n')
    .replace(/Of the \d+ rows not covered, \d+ are not yet written; the other \d+ are/, notCoveredSentence(total(counts)))
    .replace(IN_SHORT, inShortSentence(total(counts)));
}

/** `known defect <id>` citations whose id is not in the ledger. */
export function unknownDefects(markdown: string, ledgerIds: readonly string[]): string[] {
  return coverageRows(markdown).flatMap((row) =>
    row.knownDefects.filter((id) => !ledgerIds.includes(id)).map((id) => `docs/coverage.md:${row.docLine}: row ${row.id} cites known defect ${id}, which known-defects.yaml does not have`),
  );
}

/** Where the summary table differs from the counts of the rows. */
export function summaryProblems(markdown: string): string[] {
  const counts = countRows(coverageRows(markdown));
  const expected = [...counts, total(counts)].map((c) => summaryLine(c));
  const written = summaryTable(markdown).map((c) => summaryLine(c));
  const problems: string[] = [];
  for (let i = 0; i < Math.max(expected.length, written.length); i += 1) {
    if (expected[i] !== written[i]) problems.push(`summary of docs/coverage.md: the rows give ${expected[i] ?? '(no line)'}, the table says ${written[i] ?? '(no line)'} (npm run coverage:fix)`);
  }
  const sentence = notCoveredSentence(total(counts));
  if (!markdown.includes(sentence)) problems.push(`summary of docs/coverage.md: the sentence under the table should begin "${sentence}" (npm run coverage:fix)`);
  const inShort = inShortSentence(total(counts));
  if (IN_SHORT.test(markdown) && !markdown.includes(inShort)) problems.push(`header of docs/coverage.md: it should say "${inShort}" (npm run coverage:fix)`);
  return problems;
}

/**
 * Traceability from the features themselves: each scenario names the documented
 * behaviours it checks with tags `@doc-<row>` (`@doc-O2`: row O2 of docs/coverage.md), or
 * says with `@no-doc-promise` that it checks none (its reason is a row of the table
 * "Scenarios that check no documented promise"). The Outcome column of every row, that
 * table, and the summary are generated from those tags and the ledger:
 *
 *   - a row's Outcome lists `features/<file>.feature "<name>"` for each tagged scenario that
 *     is no known defect, then `known defect <id>` for each tagged known-defect scenario
 *     (its ledger entry), in the order of the files, separated by `<br>`;
 *   - a row no scenario is tagged with keeps its `not covered: <reason>`; without a reason
 *     it is a problem;
 *   - the no-promise table lists the `@no-doc-promise` scenarios, each with the reason
 *     already written for it (a new one is a problem until its reason is written).
 *
 * `npm run coverage:fix` writes what this gives; `npm run coverage:check` and
 * test/coverage.test.ts fail when the document differs, when a tag names no row, and when
 * a scenario of the default run has no tag. @wip scenarios count for nothing.
 */
import { coverageRows, withSummary } from './doc.js';
import type { FeatureScenario } from './features.js';

export const DOC_TAG_PREFIX = '@doc-';
export const NO_PROMISE_TAG = '@no-doc-promise';
const NO_PROMISE_HEADING = '## Scenarios that check no documented promise';
/** The reason a new no-promise scenario gets until someone writes it. */
export const REASON_MISSING = '(write what it relies on instead)';

export interface LedgerRef {
  id: string;
  feature: string;
  scenario: string;
}

export interface Generated {
  text: string;
  problems: string[];
}

function counted(scenarios: readonly FeatureScenario[]): FeatureScenario[] {
  return scenarios.filter((s) => !s.tags.includes('@wip'));
}

/** The row ids a scenario's tags name ("@doc-O2" gives "O2"). */
export function docRows(scenario: FeatureScenario): string[] {
  return scenario.tags.filter((t) => t.startsWith(DOC_TAG_PREFIX)).map((t) => t.slice(DOC_TAG_PREFIX.length));
}

export function citation(scenario: FeatureScenario): string {
  return `${scenario.feature} "${scenario.name}"`;
}

/** The Outcome the tags give a row, or undefined when no scenario is tagged with it. */
export function outcomeOf(rowId: string, scenarios: readonly FeatureScenario[], ledger: readonly LedgerRef[]): string | undefined {
  const tagged = counted(scenarios).filter((s) => docRows(s).includes(rowId));
  if (tagged.length === 0) return undefined;
  const entryOf = (s: FeatureScenario) => ledger.find((e) => e.feature === s.feature && e.scenario === s.name);
  const cited = tagged.filter((s) => !entryOf(s)).map(citation);
  const defects = tagged.map(entryOf).filter((e): e is LedgerRef => e !== undefined).map((e) => `known defect ${e.id}`);
  return [...cited, ...defects].join('<br>');
}

/** A table line from its cells, an empty cell written "| |" as in the document. */
function tableLine(parts: readonly string[]): string {
  return `|${parts.map((p) => (p === '' ? ' ' : ` ${p} `)).join('|')}|`;
}

function cells(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
}

/** The document with every row's Outcome, the no-promise table and the summary generated from the tags; and what could not be generated. */
export function generateCoverage(markdown: string, scenarios: readonly FeatureScenario[], ledger: readonly LedgerRef[]): Generated {
  const problems: string[] = [];
  const rows = coverageRows(markdown);
  const ids = new Set(rows.map((r) => r.id));
  const lines = markdown.split('\n');

  for (const row of rows) {
    const outcome = outcomeOf(row.id, scenarios, ledger);
    const index = row.docLine - 1;
    const parts = cells(lines[index]!);
    if (outcome !== undefined) {
      parts[3] = outcome;
      lines[index] = tableLine(parts);
    } else if (!row.outcome.startsWith('not covered:')) {
      problems.push(`docs/coverage.md:${row.docLine}: no scenario is tagged @doc-${row.id}, and row ${row.id} gives no reason (write "not covered: <reason>", or tag the scenarios that check it)`);
    }
  }

  for (const s of counted(scenarios)) {
    for (const id of docRows(s)) {
      if (!ids.has(id)) problems.push(`${s.feature}:${s.line} "${s.name}" is tagged @doc-${id}, but docs/coverage.md has no row ${id}`);
    }
    const promised = docRows(s).length > 0;
    const none = s.tags.includes(NO_PROMISE_TAG);
    if (s.inDefaultRun && !promised && !none) {
      problems.push(`${s.feature}:${s.line} "${s.name}" runs by default but names no documented behaviour: tag it @doc-<row> with the row of docs/coverage.md it checks, or ${NO_PROMISE_TAG} and give its reason in the table "Scenarios that check no documented promise" (then npm run coverage:fix)`);
    }
    if (promised && none) problems.push(`${s.feature}:${s.line} "${s.name}" is tagged both @doc-… and ${NO_PROMISE_TAG}: keep one`);
  }

  const table = noPromiseTable(lines, scenarios, problems);
  return { text: withSummary(table.join('\n')), problems };
}

/** The table "Scenarios that check no documented promise" rewritten from the @no-doc-promise scenarios, keeping each one's reason. */
function noPromiseTable(lines: string[], scenarios: readonly FeatureScenario[], problems: string[]): string[] {
  const heading = lines.findIndex((l) => l.trim() === NO_PROMISE_HEADING);
  if (heading < 0) {
    problems.push(`docs/coverage.md has no "${NO_PROMISE_HEADING}" section`);
    return lines;
  }
  const header = lines.findIndex((l, i) => i > heading && l.startsWith('| Scenario |'));
  if (header < 0) {
    problems.push(`docs/coverage.md: the section "${NO_PROMISE_HEADING}" has no table`);
    return lines;
  }
  let end = header + 2;
  while (end < lines.length && lines[end]!.startsWith('|')) end += 1;
  const reasons = new Map<string, string>();
  for (const line of lines.slice(header + 2, end)) {
    const [cited, reason] = cells(line);
    // A citation written with its line (the form before the tags) keeps its reason too.
    if (cited && reason) reasons.set(cited.replace(/^(features\/[\w.-]+\.feature):\d+ /, '$1 '), reason);
  }
  const rows = counted(scenarios)
    .filter((s) => s.tags.includes(NO_PROMISE_TAG))
    .map((s) => {
      const reason = reasons.get(citation(s)) ?? REASON_MISSING;
      if (reason === REASON_MISSING) problems.push(`${s.feature}:${s.line} "${s.name}" is tagged ${NO_PROMISE_TAG}: write what it relies on instead in the table "Scenarios that check no documented promise" of docs/coverage.md`);
      return `| ${citation(s)} | ${reason} |`;
    });
  return [...lines.slice(0, header + 2), ...rows, ...lines.slice(end)];
}

/** What is wrong with the document against the tags: what cannot be generated, and each line that differs from what the tags give. */
export function coverageTagProblems(markdown: string, scenarios: readonly FeatureScenario[], ledger: readonly LedgerRef[]): string[] {
  const { text, problems } = generateCoverage(markdown, scenarios, ledger);
  if (text === markdown) return problems;
  const want = text.split('\n');
  const have = markdown.split('\n');
  const differing: string[] = [];
  for (let i = 0; i < Math.max(want.length, have.length); i += 1) {
    if (want[i] !== have[i]) differing.push(`docs/coverage.md:${i + 1}: the tags give\n    ${want[i] ?? '(no line)'}\n  the document says\n    ${have[i] ?? '(no line)'}`);
    if (differing.length >= 10) break;
  }
  return [...problems, ...differing.map((d) => `${d}\n  (npm run coverage:fix writes what the tags give)`)];
}

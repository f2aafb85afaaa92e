// The acceptance verdict: counts the judgement of every scenario that ran. The judgements
// are the run's own (support/cucumber/known-defects.ts attaches one to every scenario under
// the ledger); the rules that gave them, and the one judge, are support/base/ledger-rules.ts.
// A scenario that carries no judgement (one the ledger leaves alone, or a run without the
// judge) is judged here by that same function, once.
// Ledger entries whose scenario did not run are listed as "not run" and not counted.
import type { LedgerEntry } from '../../support/base/ledger.js';
import { judgementOf, judgeScenario, type Classification, type Judgement } from '../../support/base/ledger-rules.js';
import type { ScenarioResult, Status } from './results.js';

export type { Classification } from '../../support/base/ledger-rules.js';
const MESSAGE_LIMIT = 400;

export interface JudgedScenario {
  classification: Classification;
  /** The scenario's result, with the outcome its judgement saw. */
  result: ScenarioResult;
  /** The ledger entry matched by feature uri + exact scenario name, if any. */
  entry: LedgerEntry | null;
  /** Why it was classified so (empty for passed / failed / confirmed). */
  reason: string;
}

export interface VerdictCounts {
  passed: number;
  failed: number;
  confirmed: number;
  unexpectedPasses: number;
  changedFailures: number;
}

export interface Verdict {
  counts: VerdictCounts;
  /** Number of scenarios (pickles) that ran. */
  scenariosRun: number;
  /** Every scenario that ran, in run order. */
  items: JudgedScenario[];
  failed: JudgedScenario[];
  unexpectedPasses: JudgedScenario[];
  changedFailures: JudgedScenario[];
  confirmed: JudgedScenario[];
  /** Ledger entries whose scenario did not run (tag filter, renamed scenario, ...). Not counted. */
  notRun: LedgerEntry[];
  /** Run-level problems (crash, failed BeforeAll/AfterAll); any of them fails the run. */
  problems: string[];
}

/** The judgement of a scenario: the run's, or, for a scenario that carries none, the same judge's now. */
export function judgementFor(result: ScenarioResult, ledger: readonly LedgerEntry[]): Judgement {
  if (result.judgement) return judgementOf(result.judgement, ledger);
  return judgeScenario(result, { status: result.status, message: result.message }, ledger);
}

/** The result as the judgement saw it: a confirmed defect that Cucumber shows as skipped failed. */
function asJudged(result: ScenarioResult, judgement: Judgement): ScenarioResult {
  if (!result.judgement) return result;
  if (judgement.status === 'PASSED') return { ...result, status: 'PASSED', message: null, fullMessage: null, failingStep: null, failingStepDetail: null };
  return {
    ...result,
    status: judgement.status as Status,
    message: judgement.message ?? result.message,
    fullMessage: judgement.message ?? result.fullMessage,
  };
}

/** Counts the judgements of the scenarios that ran. */
export function verdictOf(results: ScenarioResult[], ledger: LedgerEntry[], problems: string[] = []): Verdict {
  const used = new Set<string>();
  const items: JudgedScenario[] = results.map((result) => {
    const judgement = judgementFor(result, ledger);
    if (judgement.entry !== null) used.add(judgement.entry.id);
    return { classification: judgement.classification, result: asJudged(result, judgement), entry: judgement.entry, reason: judgement.reason };
  });

  const pick = (c: Classification): JudgedScenario[] => items.filter((i) => i.classification === c);
  const failed = pick('failed');
  const unexpectedPasses = pick('unexpected-pass');
  const changedFailures = pick('changed-failure');
  const confirmed = pick('confirmed');
  return {
    counts: {
      passed: pick('passed').length,
      failed: failed.length,
      confirmed: confirmed.length,
      unexpectedPasses: unexpectedPasses.length,
      changedFailures: changedFailures.length,
    },
    scenariosRun: results.length,
    items,
    failed,
    unexpectedPasses,
    changedFailures,
    confirmed,
    notRun: ledger.filter((e) => !used.has(e.id)),
    problems: [...problems],
  };
}

/** 0 only when something ran, nothing failed, no known defect changed, and the run itself was sound. */
export function verdictExitCode(v: Verdict): 0 | 1 {
  const { failed, unexpectedPasses, changedFailures } = v.counts;
  return failed === 0 && unexpectedPasses === 0 && changedFailures === 0 && v.scenariosRun > 0 && v.problems.length === 0 ? 0 : 1;
}

/** The two closing lines, always last in the verdict text. */
export function summaryLines(c: VerdictCounts): [string, string] {
  return [
    `acceptance: ${c.passed} passed, ${c.failed} failed`,
    `known defects: ${c.confirmed} confirmed, ${c.unexpectedPasses} unexpected passes, ${c.changedFailures} changed failures`,
  ];
}

function trimMessage(message: string | null): string {
  if (message === null || message.trim() === '') return '(no message)';
  const m = message.trim();
  return m.length > MESSAGE_LIMIT ? `${m.slice(0, MESSAGE_LIMIT)}... [${m.length - MESSAGE_LIMIT} more chars]` : m;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => (l.trim() === '' ? '' : prefix + l))
    .join('\n');
}

function location(r: ScenarioResult): string {
  return r.line !== null ? `${r.uri}:${r.line}` : r.uri;
}

function detail(item: JudgedScenario): string {
  const r = item.result;
  const out: string[] = [];
  out.push(`  - ${r.name} (${location(r)})${r.attempts > 1 ? ` [final of ${r.attempts} attempts]` : ''}`);
  if (item.entry !== null) out.push(`      ledger: ${item.entry.id} (defects[${item.entry.index}])`);
  if (item.reason !== '') out.push(`      why: ${item.reason}`);
  if (item.entry !== null) out.push(`      expected failure: /${item.entry.expectedFailure}/s`);
  out.push(`      status: ${r.status}`);
  if (r.status !== 'PASSED') {
    if (r.failingStepDetail !== null) out.push(`      at: ${r.failingStepDetail}`);
    out.push('      message:');
    out.push(indent(trimMessage(r.message), '        '));
  }
  return out.join('\n');
}

export function formatVerdict(v: Verdict): string {
  const out: string[] = [];
  out.push(`Acceptance verdict: ${v.scenariosRun} scenario${v.scenariosRun === 1 ? '' : 's'} ran`);

  const section = (title: string, items: JudgedScenario[]): void => {
    if (items.length === 0) return;
    out.push('', `${title} (${items.length}):`);
    for (const item of items) out.push(detail(item));
  };
  section('FAILED scenarios', v.failed);
  section('UNEXPECTED PASSES of known defects', v.unexpectedPasses);
  section('CHANGED FAILURES of known defects', v.changedFailures);

  if (v.notRun.length > 0) {
    out.push('', `Known-defect ledger entries not run (${v.notRun.length}, not counted):`);
    for (const e of v.notRun) {
      const elsewhere = v.items.find((i) => i.result.name === e.scenario);
      const hint = elsewhere !== undefined ? `; a scenario with this name ran in ${location(elsewhere.result)}` : '';
      out.push(`  - ${e.id}: ${e.scenario} (${e.feature})${hint}`);
    }
  }
  if (v.problems.length > 0) {
    out.push('', `RUN PROBLEMS (${v.problems.length}):`);
    for (const p of v.problems) {
      const [first = '', ...rest] = trimMessage(p).split('\n');
      out.push(`  ! ${first}`, ...rest.map((l) => `    ${l}`));
    }
  }
  if (v.confirmed.length > 0) {
    out.push('', `Confirmed known defects (${v.confirmed.length}):`);
    for (const c of v.confirmed) {
      const entry = c.entry;
      if (entry === null) continue;
      out.push(`  - ${entry.id}: ${c.result.name} (${location(c.result)}) -- ${entry.sutRef}`);
    }
  }
  if (v.scenariosRun === 0) {
    out.push('', 'no scenario ran: cucumber executed zero scenarios (check the paths and --tags), so the run cannot pass');
  }
  out.push('', ...summaryLines(v.counts));
  return out.join('\n');
}

/** A JSON-friendly copy of the verdict (for reports/verdict.json). */
export function verdictToJson(v: Verdict): Record<string, unknown> {
  const entryJson = (e: LedgerEntry): Record<string, unknown> => ({
    id: e.id,
    feature: e.feature,
    scenario: e.scenario,
    defect: e.defect,
    sut_ref: e.sutRef,
    expected_failure: e.expectedFailure,
  });
  const itemJson = (i: JudgedScenario): Record<string, unknown> => ({
    classification: i.classification,
    scenario: i.result.name,
    uri: i.result.uri,
    line: i.result.line,
    tags: i.result.tags,
    status: i.result.status,
    attempts: i.result.attempts,
    failingStep: i.result.failingStep,
    failingStepDetail: i.result.failingStepDetail,
    message: i.result.message,
    reason: i.reason,
    ledger: i.entry !== null ? entryJson(i.entry) : null,
  });
  return {
    exitCode: verdictExitCode(v),
    counts: v.counts,
    scenariosRun: v.scenariosRun,
    summary: summaryLines(v.counts),
    failed: v.failed.map(itemJson),
    unexpectedPasses: v.unexpectedPasses.map(itemJson),
    changedFailures: v.changedFailures.map(itemJson),
    confirmed: v.confirmed.map(itemJson),
    notRun: v.notRun.map(entryJson),
    problems: v.problems,
    scenarios: v.items.map(itemJson),
  };
}

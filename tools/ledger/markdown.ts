/**
 * Markdown pages written next to the verdict:
 *  - the run summary (reports/verdict.md): counts, failures, known defects by name and
 *    SUT reference;
 *  - the defect ledger page for product owners (reports/known-defects.md): every
 *    behaviour the ledger holds, its status on the SUT version that ran, and where the
 *    defect lives.
 */
import type { LedgerEntry } from '../../support/base/ledger.js';
import { summaryLines, type JudgedScenario, type Verdict } from './verdict.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function where(j: JudgedScenario): string {
  return `${j.result.uri}${j.result.line ? `:${j.result.line}` : ''}`;
}

/** `run` names the run (id, start, command) when the verdict belongs to one. */
export function verdictMarkdown(v: Verdict, sut: string, run?: string): string {
  const [first, second] = summaryLines(v.counts);
  const out = [`# Acceptance verdict`, '', ...(run ? [run, ''] : []), `SUT: ${sut}. Scenarios run: ${v.scenariosRun}.`, '', `- ${first}`, `- ${second}`, ''];
  const bad = [...v.failed, ...v.unexpectedPasses, ...v.changedFailures];
  if (v.problems.length > 0) out.push('## Run problems', '', ...v.problems.map((p) => `- ${p}`), '');
  if (bad.length > 0) {
    out.push('## Needs attention', '', '| scenario | where | verdict | why |', '| --- | --- | --- | --- |');
    for (const j of bad) out.push(`| ${cell(j.result.name)} | ${where(j)} | ${j.classification} | ${cell(j.reason || j.result.message || '')} |`);
    out.push('');
  }
  out.push('## Known defects confirmed', '');
  if (v.confirmed.length === 0) out.push('None.', '');
  else {
    out.push('| defect | scenario | SUT reference |', '| --- | --- | --- |');
    for (const j of v.confirmed) out.push(`| ${cell(j.entry!.id)}: ${cell(j.entry!.defect)} | ${cell(j.result.name)} | ${cell(j.entry!.sutRef)} |`);
    out.push('');
  }
  return out.join('\n');
}

const STATUS_WORDS: Record<string, string> = {
  confirmed: 'still broken (fails as recorded)',
  'unexpected-pass': 'WORKS NOW: the scenario passed; update the ledger',
  'changed-failure': 'fails differently than recorded: look at it',
};

export function ledgerMarkdown(ledger: LedgerEntry[], v: Verdict, sut: string): string {
  const judged = new Map<string, JudgedScenario>();
  for (const j of v.items) if (j.entry) judged.set(j.entry.id, j);
  const out = [
    '# Known defects',
    '',
    `Behaviour the specification expects and ${sut} does not deliver. Each row is a scenario tagged @known-defect; the suite checks that it still fails in the recorded way.`,
    '',
    '| behaviour (scenario) | defect | status on this run | SUT reference |',
    '| --- | --- | --- | --- |',
  ];
  for (const entry of ledger) {
    const j = judged.get(entry.id);
    const status = j ? (STATUS_WORDS[j.classification] ?? j.classification) : 'not run in this run';
    out.push(`| ${cell(entry.scenario)} (${entry.feature}) | ${cell(entry.defect)} | ${status} | ${cell(entry.sutRef)} |`);
  }
  out.push('');
  return out.join('\n');
}

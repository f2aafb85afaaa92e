/**
 * The end of a run: judges what this run wrote into its own folder (never an earlier run's
 * files) against the ledger, and writes next to it the verdict (verdict.md, verdict.json),
 * the ledger page (known-defects.md) and the page for product owners (index.html).
 *
 * Called by the run-report plugin (support/reporting/run-report.mjs) when Cucumber is about
 * to exit; by then Cucumber's TypeScript loader is registered, so the plugin can import this.
 */
import { writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { describeSut, ROOT } from '../../support/base/config.js';
import { loadLedger, stripStack } from '../../support/base/ledger.js';
import { entriesWithoutScenario } from '../../support/base/ledger-rules.js';
import { documentedBehavioursCovered } from './coverage-slot.js';
import { scenariosOnDisk } from './feature-scenarios.js';
import { ledgerMarkdown, verdictMarkdown } from './markdown.js';
import { renderPage } from './page.js';
import { readEnvelopes, runProblems, scenarioResults, type Envelope } from './results.js';
import { formatVerdict, verdictOf, verdictExitCode, verdictToJson } from './verdict.js';

export interface RunInfo {
  id: string;
  /** ISO time the run started. */
  started: string;
  pid: number;
  /** The command line, for a reader. */
  command: string;
}

export interface FinishInput {
  /** The run's folder: reports/runs/<run id>/. */
  dir: string;
  run: RunInfo;
  env: NodeJS.ProcessEnv;
  /** testRunFinished.success as Cucumber reported it; undefined when the run did not finish. */
  cucumberSuccess: boolean | undefined;
  /** The ledger; default KNOWN_DEFECTS_LEDGER, else known-defects.yaml. */
  ledgerPath?: string;
}

export type FinishOutcome =
  /** A verdict: `text` ends with the two verdict lines. */
  | { state: 'judged'; exitCode: 0 | 1; text: string }
  /** No verdict, and why; `dry-run` is a run that executed nothing on purpose. */
  | { state: 'no-verdict' | 'dry-run'; exitCode: 0 | 1; reason: string };

/** The failure of a BeforeAll hook, when one failed before any scenario started. */
export function startFailure(envelopes: Envelope[]): string | undefined {
  if (envelopes.some((e) => e.testCaseStarted !== undefined)) return undefined;
  for (const e of envelopes) {
    const r = e.testRunHookFinished?.result;
    if (r !== undefined && r.status === 'FAILED') return stripStack(r.message ?? r.exception?.message ?? 'a BeforeAll hook failed');
  }
  return undefined;
}

/** True for a dry run: scenarios were listed, every step and hook was skipped, none was run. */
export function nothingExecuted(envelopes: Envelope[]): boolean {
  const statuses = envelopes.flatMap((e) => [e.testStepFinished?.testStepResult?.status, e.testRunHookFinished?.result?.status]).filter((s) => s !== undefined);
  return envelopes.some((e) => e.testCaseStarted !== undefined) && statuses.length > 0 && statuses.every((s) => s === 'SKIPPED');
}

/** Feature names by feature file uri. */
export function featureNames(envelopes: Envelope[]): Record<string, string> {
  const names: Record<string, string> = {};
  for (const e of envelopes) {
    const doc = e.gherkinDocument as { uri?: string; feature?: { name?: string } } | undefined;
    if (doc?.uri !== undefined && doc.feature?.name) names[doc.uri] = doc.feature.name;
  }
  return names;
}

export function finishRun(input: FinishInput): FinishOutcome {
  const { dir, run, env } = input;
  const envelopes = readEnvelopes(join(dir, 'cucumber-messages.ndjson'));

  const failedStart = startFailure(envelopes);
  if (failedStart !== undefined) {
    return { state: 'no-verdict', exitCode: 1, reason: `the stack did not start, so no scenario ran (a BeforeAll hook failed):\n${failedStart}` };
  }
  if (!envelopes.some((e) => e.testRunStarted !== undefined)) {
    return { state: 'no-verdict', exitCode: 1, reason: 'Cucumber did not start the test run: a feature file that does not parse? Its error is in its output.' };
  }
  if (nothingExecuted(envelopes)) {
    return {
      state: 'dry-run',
      exitCode: input.cucumberSuccess === false ? 1 : 0,
      reason: 'nothing was executed (a dry run): it checks that every step has a definition, and tests nothing.',
    };
  }

  const ledgerPath = input.ledgerPath ?? env.KNOWN_DEFECTS_LEDGER ?? join(ROOT, 'known-defects.yaml');
  // The ledger checked in every run, whatever its tags: an entry must name a scenario that exists.
  const ledger = loadLedger(ledgerPath);
  const missing = entriesWithoutScenario(ledger, scenariosOnDisk(ROOT, ledger));
  const verdict = verdictOf(
    scenarioResults(envelopes),
    ledger.filter((e) => !missing.some((m) => m.entry === e)),
    [...runProblems(envelopes), ...missing.map((m) => m.problem)],
  );
  if (input.cucumberSuccess === false && verdictExitCode(verdict) === 0) {
    verdict.problems.push('Cucumber ended the run as failed although no scenario counts against it: see its output.');
  }
  const exitCode = verdictExitCode(verdict);
  const sut = describeSut(env);
  const sutLine = `${sut.description}: ${sut.why}`;
  const finished = new Date().toISOString();
  const runLine = `Run ${run.id}, started ${run.started}: \`${run.command}\`.`;

  writeFileSync(join(dir, 'verdict.md'), verdictMarkdown(verdict, sutLine, runLine));
  writeFileSync(join(dir, 'known-defects.md'), ledgerMarkdown(ledger, verdict, sut.description));
  writeFileSync(
    join(dir, 'index.html'),
    renderPage({ verdict, exitCode, featureNames: featureNames(envelopes), sut, run: { ...run, finished }, documentedBehaviours: documentedBehavioursCovered() }),
  );
  // Written last: its state says the run was judged (support/reporting/run-folder.mjs).
  writeFileSync(join(dir, 'verdict.json'), `${JSON.stringify({ state: 'judged', ...verdictToJson(verdict), run: { ...run, finished }, sut }, null, 2)}\n`);

  const near = relative(process.cwd(), dir);
  const shown = near.startsWith('..') || isAbsolute(near) ? dir : near;
  const text = [`Run ${run.id}: its reports are in ${shown}/ (the page: ${join(shown, 'index.html')})`, `SUT: ${sutLine}`, formatVerdict(verdict)].join('\n');
  return { state: 'judged', exitCode, text };
}

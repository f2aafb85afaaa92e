/**
 * Cucumber's message stream (the `message` formatter's NDJSON) read through Cucumber's own
 * @cucumber/query, down to one result per scenario that ran, with the judgement the run
 * attached to it when the ledger has a say on it (support/base/ledger-rules.ts). Nothing is
 * judged here: tools/ledger/verdict.ts counts.
 */
import { readFileSync, statSync } from 'node:fs';
import { Query } from '@cucumber/query';
import { TestStepResultStatus, type Envelope, type Pickle, type TestStep, type TestStepResult } from '@cucumber/messages';
import { stripStack } from '../../support/base/ledger.js';
import { KNOWN_DEFECT_MEDIA_TYPE, type RecordedJudgement } from '../../support/base/ledger-rules.js';

export { stripStack };
export type { Envelope };

export type Status = 'PASSED' | 'FAILED' | 'SKIPPED' | 'PENDING' | 'UNDEFINED' | 'AMBIGUOUS' | 'UNKNOWN';
const STATUSES: readonly string[] = ['PASSED', 'FAILED', 'SKIPPED', 'PENDING', 'UNDEFINED', 'AMBIGUOUS', 'UNKNOWN'];

export interface ScenarioResult {
  pickleId: string;
  /** Feature file uri as cucumber reports it (relative to the cucumber cwd). */
  uri: string;
  name: string;
  /** 1-based line of the scenario (or of the Examples row for an outline). */
  line: number | null;
  tags: string[];
  /** Cucumber's outcome of the final attempt: the status of its deciding step. */
  status: Status;
  /** Message of the deciding step, stack frames removed; null when PASSED. */
  message: string | null;
  /** The raw message as cucumber reported it (with stack), if any. */
  fullMessage: string | null;
  /** Text of the deciding step, or "hook" when a hook decided; null when PASSED. */
  failingStep: string | null;
  /** Human description of the deciding step: keyword + text + location, or the hook and its source. */
  failingStepDetail: string | null;
  /** How many attempts ran (> 1 with --retry). The result is that of the final attempt. */
  attempts: number;
  /** The judgement the run attached to the final attempt (support/cucumber/known-defects.ts), if any. */
  judgement?: RecordedJudgement | null;
}

export type MessagesProblem = 'missing' | 'empty' | 'invalid';

export class MessagesError extends Error {
  readonly kind: MessagesProblem;
  readonly path: string;

  constructor(kind: MessagesProblem, path: string, message: string) {
    super(message);
    this.name = 'MessagesError';
    this.kind = kind;
    this.path = path;
  }
}

/** Reads the NDJSON file. Throws MessagesError when it is missing, empty or not NDJSON. */
export function readEnvelopes(ndjsonPath: string): Envelope[] {
  let text: string;
  try {
    if (!statSync(ndjsonPath).isFile()) throw new Error('not a file');
    text = readFileSync(ndjsonPath, 'utf8');
  } catch {
    throw new MessagesError(
      'missing',
      ndjsonPath,
      `${ndjsonPath} does not exist: cucumber did not run, crashed before writing anything, or was not run with --format message:${ndjsonPath}`,
    );
  }
  if (text.trim() === '') {
    throw new MessagesError('empty', ndjsonPath, `${ndjsonPath} is empty: cucumber crashed before running anything (see its output above)`);
  }
  const lines = text.split('\n');
  const envelopes: Envelope[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const last = lines.slice(i + 1).every((l) => l.trim() === '');
      throw new MessagesError(
        'invalid',
        ndjsonPath,
        `${ndjsonPath}: line ${i + 1} is not valid JSON (${reason})` +
          (last ? '; the file looks truncated: cucumber probably crashed while writing it' : ''),
      );
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new MessagesError('invalid', ndjsonPath, `${ndjsonPath}: line ${i + 1} is not a cucumber message envelope (a JSON object)`);
    }
    envelopes.push(value);
  });
  return envelopes;
}

/** Cucumber's query over a stream. */
export function queryOf(envelopes: readonly Envelope[]): Query {
  const query = new Query();
  for (const envelope of envelopes) query.update(envelope);
  return query;
}

function rawMessage(result: TestStepResult | undefined): string | null {
  if (result === undefined) return null;
  if (typeof result.message === 'string' && result.message.trim() !== '') return result.message;
  const ex = result.exception;
  if (ex !== undefined && (ex.message !== undefined || ex.type !== undefined)) {
    return ex.stackTrace ?? `${ex.type ?? 'Error'}: ${ex.message ?? ''}`;
  }
  return null;
}

const HOOK_KINDS: Record<string, string> = {
  BEFORE_TEST_CASE: 'Before',
  AFTER_TEST_CASE: 'After',
  BEFORE_TEST_STEP: 'BeforeStep',
  AFTER_TEST_STEP: 'AfterStep',
  BEFORE_TEST_RUN: 'BeforeAll',
  AFTER_TEST_RUN: 'AfterAll',
};

/** The step or hook of a test step, in words. */
function describeStep(query: Query, pickle: Pickle, step: TestStep): { text: string; detail: string } {
  if (step.pickleStepId === undefined) {
    const hook = query.findHookBy(step);
    const kind = (hook?.type !== undefined ? HOOK_KINDS[hook.type] : undefined) ?? 'unknown';
    const src = hook?.sourceReference;
    const where = src?.uri !== undefined ? ` (${src.uri}${src.location?.line !== undefined ? `:${src.location.line}` : ''})` : '';
    return { text: 'hook', detail: `${kind} hook${hook?.name !== undefined ? ` "${hook.name}"` : ''}${where}` };
  }
  const pickleStep = query.findPickleStepBy(step);
  const text = pickleStep?.text ?? '(unknown step)';
  const gherkinStep = pickleStep !== undefined && pickleStep.astNodeIds.length > 0 ? query.findStepBy(pickleStep) : undefined;
  const where = gherkinStep?.location.line !== undefined ? ` (${pickle.uri}:${gherkinStep.location.line})` : '';
  return { text, detail: `${gherkinStep?.keyword ?? ''}${text}${where}` };
}

function messageFor(status: Status, text: string, full: string | null, result: TestStepResult | undefined): string {
  switch (status) {
    case 'UNDEFINED':
      return `Undefined step: no step definition matches "${text}"`;
    case 'PENDING':
      return full !== null ? `Pending step "${text}": ${stripStack(full)}` : `Pending step: "${text}" is not implemented yet`;
    case 'SKIPPED':
      return `Skipped: "${text}" was skipped and no step failed`;
    case 'UNKNOWN':
      return result === undefined ? `no result was reported for "${text}"` : `unknown status ${JSON.stringify(result.status)}`;
    default:
      return full !== null ? stripStack(full) : `${status} without a message`;
  }
}

/**
 * One result per scenario that ran, in the order cucumber listed the pickles (it lists
 * every scenario it parsed, even ones --tags left out). With --retry only the final
 * attempt counts.
 */
export function scenarioResults(envelopes: readonly Envelope[]): ScenarioResult[] {
  const query = queryOf(envelopes);
  const finalAttempt = new Map<string, ReturnType<Query['findAllTestCaseStarted']>[number]>();
  for (const started of query.findAllTestCaseStarted()) {
    const pickle = query.findPickleBy(started);
    if (pickle !== undefined) finalAttempt.set(pickle.id, started);
  }

  const results: ScenarioResult[] = [];
  for (const pickle of query.findAllPickles()) {
    const started = finalAttempt.get(pickle.id);
    if (started === undefined) continue; // emitted but never run
    const base = {
      pickleId: pickle.id,
      uri: pickle.uri,
      name: pickle.name,
      line: pickle.location?.line ?? query.findLocationOf(pickle)?.line ?? null,
      tags: pickle.tags.map((t) => t.name),
      attempts: (started.attempt ?? 0) + 1,
    };
    if (query.findTestCaseFinishedBy(started) === undefined) {
      results.push({
        ...base,
        status: 'UNKNOWN',
        message: 'the scenario started but never finished: cucumber crashed or was interrupted',
        fullMessage: null,
        failingStep: null,
        failingStepDetail: null,
        judgement: null,
      });
      continue;
    }

    const finished = new Map(query.findTestStepsFinishedBy(started).map((f) => [f.testStepId, f]));
    let judgement: RecordedJudgement | null = null;
    for (const f of finished.values()) {
      for (const a of query.findAttachmentsBy(f)) {
        if (a.mediaType === KNOWN_DEFECT_MEDIA_TYPE) judgement = JSON.parse(a.body) as RecordedJudgement;
      }
    }

    // The deciding step: the first that did not pass and was not skipped, else the first skipped.
    let decided: ScenarioResult | null = null;
    let firstSkipped: ScenarioResult | null = null;
    for (const step of query.findTestCaseBy(started)?.testSteps ?? []) {
      const result = finished.get(step.id)?.testStepResult;
      const status: Status = result === undefined ? 'UNKNOWN' : STATUSES.includes(result.status) ? result.status : 'UNKNOWN';
      if (status === 'PASSED') continue;
      const { text, detail } = describeStep(query, pickle, step);
      const full = rawMessage(result);
      const candidate: ScenarioResult = {
        ...base,
        status,
        message: messageFor(status, text, full, result),
        fullMessage: full,
        failingStep: text,
        failingStepDetail: detail,
        judgement,
      };
      if (status === 'SKIPPED') {
        firstSkipped ??= candidate;
        continue;
      }
      decided = candidate;
      break;
    }
    results.push(decided ?? firstSkipped ?? { ...base, status: 'PASSED', message: null, fullMessage: null, failingStep: null, failingStepDetail: null, judgement });
  }
  return results;
}

/**
 * Problems with the run as a whole that no scenario result shows: a missing
 * testRunFinished (cucumber died mid-run), a failed BeforeAll/AfterAll hook,
 * or a run-level error.
 */
export function runProblems(envelopes: readonly Envelope[]): string[] {
  const query = queryOf(envelopes);
  const problems: string[] = [];
  if (query.findTestRunStarted() === undefined) {
    problems.push('cucumber never started the test run (no testRunStarted message): it failed while loading features or support code');
  }
  const runFinished = query.findTestRunFinished();
  if (runFinished === undefined) {
    problems.push('the messages end before testRunFinished: cucumber crashed or was killed before the run completed');
  } else {
    const msg = runFinished.message ?? runFinished.exception?.message;
    if (msg !== undefined && msg.trim() !== '') problems.push(`cucumber reported a run-level error: ${stripStack(msg)}`);
  }
  for (const hookFinished of query.findAllTestRunHookFinished()) {
    const r = hookFinished.result;
    if (r.status !== TestStepResultStatus.PASSED) {
      const full = rawMessage(r);
      problems.push(`a BeforeAll/AfterAll hook ended ${r.status}${full !== null ? `: ${stripStack(full)}` : ''}`);
    }
  }
  return problems;
}

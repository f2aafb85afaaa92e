// Over 300 lines on purpose: one reader of Cucumber's message stream, from envelopes to one result per scenario.
//
// Reads the cucumber "message" formatter output (NDJSON, one envelope per
// line) and reduces it to one result per scenario (pickle) that ran.
//
// Shapes as emitted by cucumber-js 12.9.0 (protocol 32.x), only the fields used here:
//   pickle           {id, uri, name, location?:{line}, astNodeIds, tags:[{name}], steps:[{id, text, astNodeIds}]}
//   gherkinDocument  {uri, feature:{children:[{background}|{scenario}|{rule:{children}}]}}
//   hook             {id, type, sourceReference:{uri, location:{line}}}
//   testCase         {id, pickleId, testSteps:[{id, pickleStepId?, hookId?}]}
//   testCaseStarted  {id, testCaseId, attempt}
//   testStepFinished {testCaseStartedId, testStepId, testStepResult:{status, message?, exception?}}
//   testCaseFinished {testCaseStartedId, willBeRetried}
//   testRunHookFinished {result:{status, message?}}   (BeforeAll / AfterAll)
//   testRunFinished  {success, message?, exception?}
// cucumber emits a pickle for every scenario it parsed, even ones excluded by
// --tags; only test cases with a testCaseStarted actually ran.
import { readFileSync, statSync } from 'node:fs';
import { KNOWN_DEFECT_MEDIA_TYPE, stripStack, type KnownDefectJudgement } from '../../support/base/ledger.js';

export { stripStack };

export type Status = 'PASSED' | 'FAILED' | 'SKIPPED' | 'PENDING' | 'UNDEFINED' | 'AMBIGUOUS' | 'UNKNOWN';
const STATUSES: readonly string[] = ['PASSED', 'FAILED', 'SKIPPED', 'PENDING', 'UNDEFINED', 'AMBIGUOUS', 'UNKNOWN'];

interface Location {
  line?: number;
  column?: number;
}
interface Exception {
  type?: string;
  message?: string;
  stackTrace?: string;
}
interface StepResult {
  status?: string;
  message?: string;
  exception?: Exception;
}
interface GherkinStep {
  id?: string;
  location?: Location;
  keyword?: string;
  text?: string;
}
interface GherkinScenario {
  id?: string;
  location?: Location;
  steps?: GherkinStep[];
  examples?: { tableBody?: { id?: string; location?: Location }[] }[];
}
interface GherkinChild {
  background?: { id?: string; location?: Location; steps?: GherkinStep[] };
  scenario?: GherkinScenario;
  rule?: { id?: string; location?: Location; children?: GherkinChild[] };
}

/** One line of the NDJSON file; only the envelope kinds the verdict reads are typed. */
export interface Envelope {
  gherkinDocument?: { uri?: string; feature?: { children?: GherkinChild[] } };
  pickle?: {
    id: string;
    uri: string;
    name: string;
    location?: Location;
    astNodeIds?: string[];
    tags?: { name: string }[];
    steps?: { id: string; text: string; astNodeIds?: string[] }[];
  };
  hook?: { id: string; type?: string; name?: string; sourceReference?: { uri?: string; location?: Location } };
  testCase?: { id: string; pickleId: string; testSteps?: { id: string; pickleStepId?: string; hookId?: string }[] };
  testCaseStarted?: { id: string; testCaseId: string; attempt?: number };
  testStepFinished?: { testCaseStartedId: string; testStepId: string; testStepResult?: StepResult };
  testCaseFinished?: { testCaseStartedId: string; willBeRetried?: boolean };
  attachment?: { testCaseStartedId?: string; mediaType?: string; body?: string };
  testRunHookFinished?: { testRunHookStartedId?: string; result?: StepResult };
  testRunStarted?: Record<string, unknown>;
  testRunFinished?: { success?: boolean; message?: string; exception?: Exception };
  [kind: string]: unknown;
}

export interface ScenarioResult {
  pickleId: string;
  /** Feature file uri as cucumber reports it (relative to the cucumber cwd). */
  uri: string;
  name: string;
  /** 1-based line of the scenario (or of the Examples row for an outline). */
  line: number | null;
  tags: string[];
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
    envelopes.push(value as Envelope);
  });
  return envelopes;
}

function toStatus(s: string | undefined): Status {
  return s !== undefined && STATUSES.includes(s) ? (s as Status) : 'UNKNOWN';
}

function rawMessage(result: StepResult | undefined): string | null {
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

interface NodeInfo {
  line: number | null;
  keyword: string | null;
}

function indexGherkin(envelopes: Envelope[]): Map<string, NodeInfo> {
  const nodes = new Map<string, NodeInfo>();
  const addSteps = (steps: GherkinStep[] | undefined): void => {
    for (const step of steps ?? []) {
      if (step.id !== undefined) nodes.set(step.id, { line: step.location?.line ?? null, keyword: step.keyword ?? null });
    }
  };
  const walk = (children: GherkinChild[] | undefined): void => {
    for (const child of children ?? []) {
      if (child.background !== undefined) addSteps(child.background.steps);
      if (child.scenario !== undefined) {
        const sc = child.scenario;
        if (sc.id !== undefined) nodes.set(sc.id, { line: sc.location?.line ?? null, keyword: null });
        addSteps(sc.steps);
        for (const ex of sc.examples ?? []) {
          for (const row of ex.tableBody ?? []) {
            if (row.id !== undefined) nodes.set(row.id, { line: row.location?.line ?? null, keyword: null });
          }
        }
      }
      if (child.rule !== undefined) walk(child.rule.children);
    }
  };
  for (const env of envelopes) walk(env.gherkinDocument?.feature?.children);
  return nodes;
}

/**
 * One result per pickle that ran, in the order cucumber listed the pickles.
 * With --retry only the final attempt counts.
 */
export function scenarioResults(envelopes: Envelope[]): ScenarioResult[] {
  const nodes = indexGherkin(envelopes);
  const pickles: NonNullable<Envelope['pickle']>[] = [];
  const hooks = new Map<string, NonNullable<Envelope['hook']>>();
  const testCasesByPickle = new Map<string, NonNullable<Envelope['testCase']>[]>();
  const startsByTestCase = new Map<string, NonNullable<Envelope['testCaseStarted']>[]>();
  const stepResults = new Map<string, Map<string, StepResult>>();
  const finished = new Map<string, NonNullable<Envelope['testCaseFinished']>>();
  /** How the run judged a known-defect scenario, by testCaseStartedId (support/cucumber/known-defects.ts). */
  const judgements = new Map<string, KnownDefectJudgement>();

  for (const env of envelopes) {
    if (env.pickle !== undefined) pickles.push(env.pickle);
    else if (env.hook !== undefined) hooks.set(env.hook.id, env.hook);
    else if (env.testCase !== undefined) {
      const list = testCasesByPickle.get(env.testCase.pickleId) ?? [];
      list.push(env.testCase);
      testCasesByPickle.set(env.testCase.pickleId, list);
    } else if (env.testCaseStarted !== undefined) {
      const list = startsByTestCase.get(env.testCaseStarted.testCaseId) ?? [];
      list.push(env.testCaseStarted);
      startsByTestCase.set(env.testCaseStarted.testCaseId, list);
    } else if (env.testStepFinished !== undefined) {
      const f = env.testStepFinished;
      const perCase = stepResults.get(f.testCaseStartedId) ?? new Map<string, StepResult>();
      perCase.set(f.testStepId, f.testStepResult ?? {});
      stepResults.set(f.testCaseStartedId, perCase);
    } else if (env.testCaseFinished !== undefined) {
      finished.set(env.testCaseFinished.testCaseStartedId, env.testCaseFinished);
    } else if (env.attachment?.mediaType === KNOWN_DEFECT_MEDIA_TYPE && env.attachment.testCaseStartedId !== undefined) {
      judgements.set(env.attachment.testCaseStartedId, JSON.parse(env.attachment.body ?? '{}') as KnownDefectJudgement);
    }
  }

  const results: ScenarioResult[] = [];
  for (const pickle of pickles) {
    for (const testCase of testCasesByPickle.get(pickle.id) ?? []) {
      const starts = [...(startsByTestCase.get(testCase.id) ?? [])].sort((a, b) => (a.attempt ?? 0) - (b.attempt ?? 0));
      if (starts.length === 0) continue; // emitted but never run
      const final = starts.find((s) => finished.get(s.id)?.willBeRetried === false) ?? starts[starts.length - 1];
      if (final === undefined) continue;

      const lastAstId = pickle.astNodeIds?.[pickle.astNodeIds.length - 1];
      const line = pickle.location?.line ?? (lastAstId !== undefined ? (nodes.get(lastAstId)?.line ?? null) : null);
      const base = {
        pickleId: pickle.id,
        uri: pickle.uri,
        name: pickle.name,
        line,
        tags: (pickle.tags ?? []).map((t) => t.name),
        attempts: starts.length,
      };

      const describeStep = (step: { pickleStepId?: string; hookId?: string }): { text: string; detail: string } => {
        if (step.pickleStepId === undefined) {
          const hook = step.hookId !== undefined ? hooks.get(step.hookId) : undefined;
          const kind = (hook?.type !== undefined ? HOOK_KINDS[hook.type] : undefined) ?? 'unknown';
          const src = hook?.sourceReference;
          const where = src?.uri !== undefined ? ` (${src.uri}${src.location?.line !== undefined ? `:${src.location.line}` : ''})` : '';
          return { text: 'hook', detail: `${kind} hook${hook?.name !== undefined ? ` "${hook.name}"` : ''}${where}` };
        }
        const pStep = pickle.steps?.find((s) => s.id === step.pickleStepId);
        const text = pStep?.text ?? '(unknown step)';
        const node = pStep?.astNodeIds?.[0] !== undefined ? nodes.get(pStep.astNodeIds[0]) : undefined;
        const keyword = node?.keyword ?? '';
        const where = node?.line !== null && node?.line !== undefined ? ` (${pickle.uri}:${node.line})` : '';
        return { text, detail: `${keyword}${text}${where}` };
      };

      const fin = finished.get(final.id);
      if (fin === undefined) {
        results.push({
          ...base,
          status: 'UNKNOWN',
          message: 'the scenario started but never finished: cucumber crashed or was interrupted',
          fullMessage: null,
          failingStep: null,
          failingStepDetail: null,
        });
        continue;
      }

      const perCase = stepResults.get(final.id) ?? new Map<string, StepResult>();
      let decided: ScenarioResult | null = null;
      let firstSkipped: ScenarioResult | null = null;
      for (const step of testCase.testSteps ?? []) {
        const result = perCase.get(step.id);
        const status: Status = result === undefined ? 'UNKNOWN' : toStatus(result.status);
        if (status === 'PASSED') continue;
        const { text, detail } = describeStep(step);
        const full = rawMessage(result);
        let message: string;
        switch (status) {
          case 'UNDEFINED':
            message = `Undefined step: no step definition matches "${text}"`;
            break;
          case 'PENDING':
            message = full !== null ? `Pending step "${text}": ${stripStack(full)}` : `Pending step: "${text}" is not implemented yet`;
            break;
          case 'SKIPPED':
            message = `Skipped: "${text}" was skipped and no step failed`;
            break;
          case 'UNKNOWN':
            message = result === undefined ? `no result was reported for "${text}"` : `unknown status ${JSON.stringify(result.status)}`;
            break;
          default:
            message = full !== null ? stripStack(full) : `${status} without a message`;
        }
        const candidate: ScenarioResult = { ...base, status, message, fullMessage: full, failingStep: text, failingStepDetail: detail };
        if (status === 'SKIPPED') {
          firstSkipped ??= candidate;
          continue;
        }
        decided = candidate;
        break;
      }
      const reported: ScenarioResult =
        decided ?? firstSkipped ?? { ...base, status: 'PASSED', message: null, fullMessage: null, failingStep: null, failingStepDetail: null };
      results.push(realOutcome(reported, judgements.get(final.id)));
    }
  }
  return results;
}

/**
 * The real outcome of a known-defect scenario, which the run reports otherwise: a confirmed
 * defect as skipped, an unexpected pass as a failed After hook. The judgement attached by
 * the run keeps what happened.
 */
function realOutcome(reported: ScenarioResult, judgement: KnownDefectJudgement | undefined): ScenarioResult {
  if (judgement === undefined) return reported;
  if (judgement.outcome === 'unexpected-pass') {
    return { ...reported, status: 'PASSED', message: null, fullMessage: null, failingStep: null, failingStepDetail: null };
  }
  return { ...reported, status: 'FAILED', message: judgement.error ?? reported.message, fullMessage: judgement.error ?? reported.fullMessage };
}

/**
 * Problems with the run as a whole that no scenario result shows: a missing
 * testRunFinished (cucumber died mid-run), a failed BeforeAll/AfterAll hook,
 * or a run-level error.
 */
export function runProblems(envelopes: Envelope[]): string[] {
  const problems: string[] = [];
  if (!envelopes.some((e) => e.testRunStarted !== undefined)) {
    problems.push('cucumber never started the test run (no testRunStarted message): it failed while loading features or support code');
  }
  const runFinished = envelopes.find((e) => e.testRunFinished !== undefined)?.testRunFinished;
  if (runFinished === undefined) {
    problems.push('the messages end before testRunFinished: cucumber crashed or was killed before the run completed');
  } else {
    const msg = runFinished.message ?? runFinished.exception?.message;
    if (msg !== undefined && msg.trim() !== '') problems.push(`cucumber reported a run-level error: ${stripStack(msg)}`);
  }
  for (const env of envelopes) {
    const r = env.testRunHookFinished?.result;
    if (r !== undefined && r.status !== 'PASSED') {
      const full = rawMessage(r);
      problems.push(`a BeforeAll/AfterAll hook ended ${r.status ?? 'UNKNOWN'}${full !== null ? `: ${stripStack(full)}` : ''}`);
    }
  }
  return problems;
}

/**
 * The ledger's rules, all of them (docs/known-defects.md): which ledger entry a scenario
 * has, and how a scenario's outcome is judged against it. One pure function,
 * judgeScenario(), gives every judgement:
 *
 *   no @known-defect tag, no entry : PASSED -> passed; anything else -> failed
 *   no tag, but an entry           : changed failure, whatever the outcome (tag it, or remove the entry)
 *   tagged, but no entry           : changed failure, whatever the outcome (not in the ledger: add one, or remove the tag)
 *   tagged, with an entry          : PASSED -> unexpected pass
 *                                    FAILED in a step or hook, message matching expected_failure -> confirmed
 *                                    FAILED otherwise, or any other status -> changed failure
 *
 * The run calls it (support/cucumber/known-defects.ts) and attaches the judgement of every
 * scenario under the ledger to it (KNOWN_DEFECT_MEDIA_TYPE). The verdict after the run
 * (tools/ledger/verdict.ts) counts those judgements, and calls judgeScenario() only for a
 * scenario that carries none: one the ledger leaves alone (its outcome is Cucumber's), or a
 * run without the judge (a message file of another configuration).
 *
 * Besides the scenario rules, one rule on the ledger as a whole: every entry names a
 * scenario that exists (entriesWithoutScenario), checked in every run whatever its tags.
 */
import { expectedFailurePattern, normalizeFeaturePath, type LedgerEntry } from './ledger.js';

export const KNOWN_DEFECT_TAG = '@known-defect';

/** The media type of the judgement attached to a scenario under the ledger. */
export const KNOWN_DEFECT_MEDIA_TYPE = 'application/vnd.gmp-acceptance.known-defect+json';

export type Classification = 'passed' | 'failed' | 'confirmed' | 'unexpected-pass' | 'changed-failure';

/** A scenario as the ledger sees it: its feature file, exact name and tags. */
export interface ScenarioRef {
  uri: string;
  name: string;
  tags: readonly string[];
}

/** What happened to a scenario: Cucumber's status, and the failure's message without stack frames. */
export interface Outcome {
  /** PASSED, FAILED, SKIPPED, UNDEFINED, PENDING, AMBIGUOUS or UNKNOWN. */
  status: string;
  message: string | null;
  /**
   * A failure that no step or hook body threw, seen only afterwards (a Cucumber timeout): the
   * run cannot show it as the expected failure, so it never confirms a defect.
   */
  outsideStep?: boolean;
}

export interface Judgement {
  classification: Classification;
  /** The ledger entry of the scenario, matched by feature path and exact name. */
  entry: LedgerEntry | null;
  /** Why it counts against the run, in one line saying what to do; empty for passed, failed and confirmed. */
  reason: string;
  /** The outcome judged. */
  status: string;
  message: string | null;
}

/** The ledger entry of a scenario, by feature path and exact name. */
export function entryFor(ledger: readonly LedgerEntry[], uri: string, name: string): LedgerEntry | undefined {
  const feature = normalizeFeaturePath(uri);
  return ledger.find((e) => e.scenario === name && normalizeFeaturePath(e.feature) === feature);
}

/** True when the ledger has a say on the scenario: it is tagged @known-defect, or has an entry. */
export function underLedger(scenario: ScenarioRef, ledger: readonly LedgerEntry[]): boolean {
  return scenario.tags.includes(KNOWN_DEFECT_TAG) || entryFor(ledger, scenario.uri, scenario.name) !== undefined;
}

/**
 * Why the tag and the ledger disagree on a scenario, whatever its outcome; undefined when
 * they agree. The run stops such a scenario before its first step.
 */
export function ledgerMismatch(scenario: ScenarioRef, ledger: readonly LedgerEntry[]): string | undefined {
  const tagged = scenario.tags.includes(KNOWN_DEFECT_TAG);
  const entry = entryFor(ledger, scenario.uri, scenario.name);
  if (tagged && entry === undefined) {
    return `"${scenario.name}" is tagged ${KNOWN_DEFECT_TAG} but known-defects.yaml has no entry for it: add one, or remove the tag.`;
  }
  if (!tagged && entry !== undefined) {
    return `known-defects.yaml entry "${entry.id}" names "${scenario.name}", which is not tagged ${KNOWN_DEFECT_TAG}: tag it, or remove the entry.`;
  }
  return undefined;
}

/** The one judge: a scenario's outcome against its ledger entry. Pure. */
export function judgeScenario(scenario: ScenarioRef, outcome: Outcome, ledger: readonly LedgerEntry[]): Judgement {
  const entry = entryFor(ledger, scenario.uri, scenario.name) ?? null;
  const { status, message } = outcome;
  const judged = (classification: Classification, reason = ''): Judgement => ({ classification, entry, reason, status, message });

  const mismatch = ledgerMismatch(scenario, ledger);
  if (mismatch !== undefined) return judged('changed-failure', mismatch);
  if (entry === null) return judged(status === 'PASSED' ? 'passed' : 'failed');

  const defect = `known defect "${entry.id}"`;
  if (status === 'PASSED') {
    return judged(
      'unexpected-pass',
      `Unexpected pass of ${defect}: the scenario passed. If the release fixed it, remove the ${KNOWN_DEFECT_TAG} tag and the entry from known-defects.yaml.`,
    );
  }
  if (status !== 'FAILED') {
    return judged('changed-failure', `Changed failure of ${defect}: ${status} step: a known defect must fail in a step, not be ${status.toLowerCase()}.`);
  }
  if (outcome.outsideStep === true) {
    return judged(
      'changed-failure',
      `Changed failure of ${defect}: it failed outside the code of its steps (a timeout?), which can never be the expected failure.`,
    );
  }
  if (expectedFailurePattern(entry).test(message ?? '')) return judged('confirmed');
  return judged(
    'changed-failure',
    `Changed failure of ${defect}: the failure does not match expected_failure. Fix the cause, or if this failure is the defect's new face, ` +
      `update expected_failure in known-defects.yaml (it is /${entry.expectedFailure}/).`,
  );
}

/** True for the judgements that fail the run. */
export function countsAgainst(judgement: Pick<Judgement, 'classification'>): boolean {
  return judgement.classification === 'failed' || judgement.classification === 'unexpected-pass' || judgement.classification === 'changed-failure';
}

/** A judgement as it is attached to its scenario (JSON, KNOWN_DEFECT_MEDIA_TYPE). */
export interface RecordedJudgement {
  outcome: Classification;
  /** The ledger entry's id and defect, when the scenario has an entry. */
  id?: string;
  defect?: string;
  reason: string;
  status: string;
  /** The message judged (stack frames removed); absent for a pass. */
  error?: string;
}

export function recordOf(j: Judgement): RecordedJudgement {
  return {
    outcome: j.classification,
    ...(j.entry !== null ? { id: j.entry.id, defect: j.entry.defect } : {}),
    reason: j.reason,
    status: j.status,
    ...(j.message !== null ? { error: j.message } : {}),
  };
}

/** Reads back an attached judgement; its entry is looked up in the ledger by id. */
export function judgementOf(record: RecordedJudgement, ledger: readonly LedgerEntry[]): Judgement {
  return {
    classification: record.outcome,
    entry: record.id !== undefined ? (ledger.find((e) => e.id === record.id) ?? null) : null,
    reason: record.reason ?? '',
    status: record.status ?? (record.outcome === 'unexpected-pass' ? 'PASSED' : 'FAILED'),
    message: record.error ?? null,
  };
}

/**
 * The rule on the ledger as a whole: every entry names a scenario that exists. `scenariosIn`
 * gives the scenario names of a feature file, or undefined when there is no such file.
 * One line per entry that breaks it.
 */
export function entriesWithoutScenario(
  ledger: readonly LedgerEntry[],
  scenariosIn: (feature: string) => ReadonlySet<string> | undefined,
): { entry: LedgerEntry; problem: string }[] {
  const out: { entry: LedgerEntry; problem: string }[] = [];
  for (const entry of ledger) {
    const names = scenariosIn(entry.feature);
    if (names === undefined) {
      out.push({ entry, problem: `known-defects.yaml entry "${entry.id}" names ${entry.feature}, which does not exist: correct the entry, or remove it.` });
    } else if (!names.has(entry.scenario)) {
      out.push({
        entry,
        problem: `known-defects.yaml entry "${entry.id}" names the scenario "${entry.scenario}", which ${entry.feature} does not have: correct the entry, or remove it.`,
      });
    }
  }
  return out;
}

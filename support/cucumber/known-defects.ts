/**
 * The known-defect ledger (known-defects.yaml), judged inside the Cucumber run, so that
 * every way of running Cucumber (`npx cucumber-js`, tags, --parallel, --shard, --retry,
 * profiles) gives the verdict that `npm run acceptance` gives.
 *
 *  - A scenario tagged @known-defect that fails with its ledger entry's expected_failure is
 *    an expected failure: the failing step is reported as skipped, with the defect's
 *    sentence logged under the scenario. It does not fail the run.
 *  - An unexpected pass, a changed failure, a tagged scenario without an entry and an
 *    entry whose scenario is not tagged each fail the scenario, with one line saying
 *    what to do.
 *  - The real outcome stays in the message stream: every judgement is attached as JSON
 *    (KNOWN_DEFECT_MEDIA_TYPE), which tools/ledger/results.ts reads back.
 *
 * The mechanism is Cucumber's own: a definition-function wrapper around every step and
 * hook, and two hooks. Nothing else changes a result.
 */
import { After, Before, setDefinitionFunctionWrapper, Status } from '@cucumber/cucumber';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../base/config.js';
import {
  expectedFailurePattern,
  KNOWN_DEFECT_MEDIA_TYPE,
  loadLedger,
  normalizeFeaturePath,
  stripStack,
  type KnownDefectJudgement,
  type LedgerEntry,
} from '../base/ledger.js';

export const KNOWN_DEFECT_TAG = '@known-defect';

/** Cucumber's own error formatting, so that the message matched here is the one the report shows. */
const formatError = createRequire(import.meta.url)('assertion-error-formatter').format as (error: unknown) => string;

/** The ledger; KNOWN_DEFECTS_LEDGER names another file (the suite's own tests use a test double). */
const ledger: LedgerEntry[] = loadLedger(process.env.KNOWN_DEFECTS_LEDGER ?? join(ROOT, 'known-defects.yaml'));

/** The ledger entry of a scenario, by feature path and exact name. */
export function entryFor(entries: readonly LedgerEntry[], uri: string, name: string): LedgerEntry | undefined {
  const feature = normalizeFeaturePath(uri);
  return entries.find((e) => e.scenario === name && normalizeFeaturePath(e.feature) === feature);
}

/** The failure as the ledger's expected_failure is matched against it. */
export function failureText(error: unknown): string {
  return stripStack(error instanceof Error ? formatError(error) : String(error));
}

/** What a scenario under the ledger carries while it runs. */
interface UnderLedger {
  knownDefect?: { entry: LedgerEntry; judgement?: KnownDefectJudgement };
  attach(data: string, mediaType: string): void;
  log(text: string): void;
}

function record(world: UnderLedger, judgement: KnownDefectJudgement): void {
  world.knownDefect!.judgement = judgement;
  world.attach(JSON.stringify(judgement), KNOWN_DEFECT_MEDIA_TYPE);
}

/** Judges a failure of a known-defect scenario; returns 'skipped' when it is the expected one. */
export function judgeFailure(world: UnderLedger, error: unknown): 'skipped' | Error {
  const { entry } = world.knownDefect!;
  const text = failureText(error);
  if (expectedFailurePattern(entry).test(text)) {
    record(world, { id: entry.id, defect: entry.defect, outcome: 'confirmed', error: text });
    world.log(`Known defect "${entry.id}" (expected failure): ${entry.defect}\nWhere: ${entry.sutRef}\nThe step failed as the ledger expects:\n${text}`);
    return 'skipped';
  }
  record(world, { id: entry.id, defect: entry.defect, outcome: 'changed-failure', error: text });
  const changed = new Error(
    `Changed failure of known defect "${entry.id}": fix the cause, or if this failure is the defect's new face, ` +
      `update expected_failure in known-defects.yaml (it is /${entry.expectedFailure}/).\n${text}`,
  );
  if (error instanceof Error && error.stack) changed.stack = `${changed.message}\n${error.stack.split('\n').filter((l) => /^\s+at /.test(l)).join('\n')}`;
  return changed;
}

setDefinitionFunctionWrapper(function (fn: (...args: unknown[]) => unknown) {
  return async function (this: UnderLedger | undefined, ...args: unknown[]) {
    try {
      return await fn.apply(this, args);
    } catch (error) {
      if (!this?.knownDefect || this.knownDefect.judgement) throw error;
      const judged = judgeFailure(this, error);
      if (judged === 'skipped') return judged;
      throw judged;
    }
  };
});

Before(function (this: UnderLedger, { pickle }) {
  const tagged = pickle.tags.some((t) => t.name === KNOWN_DEFECT_TAG);
  const entry = entryFor(ledger, pickle.uri, pickle.name);
  if (tagged && !entry) {
    throw new Error(`"${pickle.name}" is tagged ${KNOWN_DEFECT_TAG} but known-defects.yaml has no entry for it: add one, or remove the tag.`);
  }
  if (!tagged && entry) {
    throw new Error(`known-defects.yaml entry "${entry.id}" names "${pickle.name}", which is not tagged ${KNOWN_DEFECT_TAG}: tag it, or remove the entry.`);
  }
  if (entry) this.knownDefect = { entry };
});

After(function (this: UnderLedger, { result }) {
  const judged = this.knownDefect;
  if (!judged || judged.judgement) return;
  const { entry } = judged;
  if (result?.status === Status.PASSED) {
    record(this, { id: entry.id, defect: entry.defect, outcome: 'unexpected-pass' });
    throw new Error(
      `Unexpected pass of known defect "${entry.id}": the scenario passed. If the release fixed it, remove the ${KNOWN_DEFECT_TAG} tag and the entry from known-defects.yaml.`,
    );
  }
  // Failed outside a step or hook body (a timeout, an undefined or ambiguous step).
  if (result?.status !== Status.SKIPPED) {
    record(this, { id: entry.id, defect: entry.defect, outcome: 'changed-failure', error: stripStack(result?.message ?? String(result?.status)) });
  }
});

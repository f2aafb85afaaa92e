/**
 * The known-defect ledger (known-defects.yaml), judged inside the Cucumber run, so that
 * every way of running Cucumber (`npx cucumber-js`, tags, --parallel, --shard, --retry,
 * profiles) gives the verdict that `npm run acceptance` gives. The rules are not here: they
 * are support/base/ledger-rules.ts, whose judgeScenario() this file calls.
 *
 *  - A scenario tagged @known-defect that fails with its ledger entry's expected_failure is
 *    an expected failure: the failing step is reported as skipped, with the defect's
 *    sentence logged under the scenario. It does not fail the run.
 *  - An unexpected pass, a changed failure, a tagged scenario without an entry and an
 *    entry whose scenario is not tagged each fail the scenario, with one line saying
 *    what to do.
 *  - Every judgement of a scenario under the ledger is attached to it as JSON
 *    (KNOWN_DEFECT_MEDIA_TYPE); the verdict after the run counts them.
 *
 * The mechanism is Cucumber's own: a definition-function wrapper around every step and
 * hook, and two hooks. Nothing else changes a result.
 */
import { After, Before, setDefinitionFunctionWrapper, Status } from '@cucumber/cucumber';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../base/config.js';
import { loadLedger, stripStack, type LedgerEntry } from '../base/ledger.js';
import {
  countsAgainst,
  judgeScenario,
  KNOWN_DEFECT_MEDIA_TYPE,
  ledgerMismatch,
  recordOf,
  underLedger,
  type Judgement,
  type ScenarioRef,
} from '../base/ledger-rules.js';

/** Cucumber's own error formatting, so that the message matched here is the one the report shows. */
const formatError = createRequire(import.meta.url)('assertion-error-formatter').format as (error: unknown) => string;

/** The ledger; KNOWN_DEFECTS_LEDGER names another file (the suite's own tests use a test double). */
const ledger: LedgerEntry[] = loadLedger(process.env.KNOWN_DEFECTS_LEDGER ?? join(ROOT, 'known-defects.yaml'));

/** The failure as the ledger's expected_failure is matched against it. */
function failureText(error: unknown): string {
  return stripStack(error instanceof Error ? formatError(error) : String(error));
}

/** What a scenario under the ledger carries while it runs. */
interface UnderLedger {
  knownDefect?: { scenario: ScenarioRef; judgement?: Judgement };
  attach(data: string, mediaType: string): void;
  log(text: string): void;
}

function scenarioOf(pickle: { uri: string; name: string; tags: readonly { name: string }[] }): ScenarioRef {
  return { uri: pickle.uri, name: pickle.name, tags: pickle.tags.map((t) => t.name) };
}

function record(world: UnderLedger, judgement: Judgement): void {
  world.knownDefect!.judgement = judgement;
  world.attach(JSON.stringify(recordOf(judgement)), KNOWN_DEFECT_MEDIA_TYPE);
  const { entry } = judgement;
  if (judgement.classification === 'confirmed' && entry !== null) {
    world.log(`Known defect "${entry.id}" (expected failure): ${entry.defect}\nWhere: ${entry.sutRef}\nThe step failed as the ledger expects:\n${judgement.message ?? ''}`);
  }
}

/** Judges a failure of a known-defect scenario in a step or hook; returns 'skipped' when it is the expected one. */
function judgeFailure(world: UnderLedger, error: unknown): 'skipped' | Error {
  const judgement = judgeScenario(world.knownDefect!.scenario, { status: Status.FAILED, message: failureText(error) }, ledger);
  record(world, judgement);
  if (judgement.classification === 'confirmed') return 'skipped';
  const changed = new Error(`${judgement.reason}\n${judgement.message ?? ''}`);
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
  const scenario = scenarioOf(pickle);
  if (!underLedger(scenario, ledger)) return;
  // The tag and the ledger disagree: stop before the first step (the After hook records it).
  const mismatch = ledgerMismatch(scenario, ledger);
  if (mismatch !== undefined) throw new Error(mismatch);
  this.knownDefect = { scenario };
});

After(function (this: UnderLedger, { pickle, result }) {
  const scenario = this.knownDefect?.scenario ?? scenarioOf(pickle);
  if (this.knownDefect?.judgement || !underLedger(scenario, ledger)) return;
  this.knownDefect ??= { scenario };
  const status = result?.status ?? Status.UNKNOWN;
  // Not judged yet: it passed, or it did not fail in a step or hook body (a Cucumber
  // timeout, an undefined or ambiguous step, the Before hook above).
  const judgement = judgeScenario(
    scenario,
    { status, message: result?.message !== undefined ? stripStack(result.message) : null, outsideStep: status === Status.FAILED },
    ledger,
  );
  record(this, judgement);
  // Fail the scenario when the judgement counts against the run and Cucumber would pass it.
  if (countsAgainst(judgement) && (status === Status.PASSED || status === Status.SKIPPED)) throw new Error(judgement.reason);
});

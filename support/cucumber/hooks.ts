/**
 * The lifecycle of the stack and of each scenario.
 *  - BeforeAll: this process's stack starts (one per worker with --parallel).
 *  - After: on failure, evidence is attached; then the scenario's teardown runs.
 *  - AfterAll: the stack stops, every process it started with it.
 */
import { After, AfterAll, Before, BeforeAll, Status, setDefaultTimeout } from '@cucumber/cucumber';
import { HOOK_TIMEOUT_MS, STACK_START_TIMEOUT_MS, STEP_TIMEOUT_MS } from '../base/timeouts.js';
import { recordWaiting } from '../base/waiting-log.js';
import { timeSpentWaiting } from '../base/eventually.js';
import { join } from 'node:path';
import { ROOT } from '../base/config.js';
import { attachEvidence } from '../evidence/evidence.js';
import { loadLedger, type LedgerEntry } from '../../tools/ledger/ledger.js';
import { openStack, type StackSession } from '../stack/session.js';
import { setStackSession, type GenroWorld } from './world.js';

setDefaultTimeout(STEP_TIMEOUT_MS);

let session: StackSession | undefined;

// Every service start has its own shorter deadline (SUITE_SERVICE_START_TIMEOUT_MS).
BeforeAll({ timeout: STACK_START_TIMEOUT_MS }, async function () {
  const worker = process.env.CUCUMBER_WORKER_ID;
  session = await openStack(worker === undefined ? 'serial' : `worker-${worker}`);
  setStackSession(session);
});

AfterAll({ timeout: HOOK_TIMEOUT_MS }, async function () {
  setStackSession(undefined);
  await session?.close();
});

Before(function (this: GenroWorld) {
  this.waitedAtStart = timeSpentWaiting();
});

let ledger: LedgerEntry[] | undefined;

// The HTML report names the defect under every known-defect scenario.
After({ tags: '@known-defect' }, function (this: GenroWorld, { pickle }) {
  ledger ??= loadLedger(join(ROOT, 'known-defects.yaml'));
  const entry = ledger.find((e) => e.scenario === pickle.name && pickle.uri.endsWith(e.feature));
  this.log(
    entry
      ? `Known defect "${entry.id}": ${entry.defect}\nWhere: ${entry.sutRef}\nExpected failure: /${entry.expectedFailure}/`
      : 'Known defect: this scenario has no entry in known-defects.yaml (the verdict counts it as a changed failure).',
  );
});

After({ timeout: HOOK_TIMEOUT_MS }, async function (this: GenroWorld, { result, testCaseStartedId }) {
  recordWaiting(testCaseStartedId, timeSpentWaiting() - this.waitedAtStart);
  try {
    if (result && result.status !== Status.PASSED && session) await attachEvidence(this);
  } finally {
    await this.teardown.run();
  }
});
